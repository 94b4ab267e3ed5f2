package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.ServerReply;
import net.flexnbd.storage.BlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one validated data request against the store and builds its reply, on a storage
 * thread (a READ the page cache holds whole is answered on the event loop instead, by
 * {@link #readCached}). A failed local I/O becomes {@code EIO}. On a client connection the store is the
 * served file's {@link net.flexnbd.export.WriteTrackingStore}, which tells a running
 * migration of each change before the reply exists, so it never misses a write a client has
 * been told about.
 */
final class RequestExecutor {
    private static final Logger log = LoggerFactory.getLogger(RequestExecutor.class);

    private final BlockStore store;
    private final StructuredReplies structuredReplies;
    private final CachedReads cachedReads;

    /** @param store for clients, the write-tracking store, so a migration sees every change */
    RequestExecutor(BlockStore store) {
        this.store = store;
        this.structuredReplies = new StructuredReplies(store);
        this.cachedReads = new CachedReads(store);
    }

    /**
     * On the event loop: the READ's reply from the page cache, carrying {@code data}, or null
     * when it must run on a storage thread ({@link #readInto}); see {@link CachedReads}.
     */
    ServerReply readCached(Request request, ByteBuf data, boolean structured) {
        return cachedReads.answer(request, data, structured);
    }

    /**
     * On the event loop: a BLOCK_STATUS's reply from what the store knows of its runs without
     * a disk call, or null when it must run on a storage thread ({@link #execute}). Releases
     * the request's (empty) payload when it answers.
     */
    ServerReply blockStatusCached(Request request) {
        ServerReply reply = structuredReplies.blockStatusCached(request);
        if (reply != null) {
            request.payload().release();
        }
        return reply;
    }

    /** How the request is ordered on the storage executor. */
    static StorageExecutor.Kind kindOf(Request request) {
        return switch (request.type()) {
            case CMD_WRITE, CMD_TRIM, CMD_WRITE_ZEROES -> StorageExecutor.Kind.WRITE;
            case CMD_FLUSH -> StorageExecutor.Kind.FLUSH;
            default -> StorageExecutor.Kind.READ;
        };
    }

    /**
     * Executes the request; releases its payload. With {@code structured} (the client
     * negotiated structured replies) a READ is answered in data and hole chunks; BLOCK_STATUS
     * needs it (the validator refuses BLOCK_STATUS otherwise).
     */
    ServerReply execute(Request request, ByteBufAllocator alloc, boolean structured) {
        try {
            return switch (request.type()) {
                case CMD_READ -> structured ? structuredReplies.read(request, alloc) : read(request, alloc);
                case CMD_WRITE -> write(request);
                case CMD_FLUSH -> flush(request);
                case CMD_TRIM -> trim(request);
                case CMD_CACHE -> cache(request);
                case CMD_WRITE_ZEROES -> writeZeroes(request);
                case CMD_BLOCK_STATUS -> structuredReplies.blockStatus(request);
                default -> ErrorReplies.of(request, EINVAL, structured);
            };
        } catch (IOException | RuntimeException e) {
            log.error("{} of {} bytes at offset {} failed: {}",
                    commandName(request.type()), request.length(), request.offset(), e.toString());
            return ErrorReplies.of(request, EIO, structured);
        } finally {
            request.payload().release();
        }
    }

    private Reply read(Request request, ByteBufAllocator alloc) throws IOException {
        int length = (int) request.length();
        return read(request, alloc.directBuffer(length, length));
    }

    /**
     * A READ into {@code data}, a buffer of the request's length that the caller allocated
     * (on the event loop, so that buffers do not spread over the storage threads' allocator
     * caches); the reply carries it, and it is released here when the read fails. Under
     * {@code structured} the reply is chunks, holes as OFFSET_HOLE.
     */
    ServerReply readInto(Request request, ByteBuf data, boolean structured) {
        try {
            return structured ? structuredReplies.read(request, data) : read(request, data);
        } catch (IOException | RuntimeException e) {
            log.error("READ of {} bytes at offset {} failed: {}", request.length(), request.offset(), e.toString());
            return ErrorReplies.of(request, EIO, structured);
        }
    }

    private Reply read(Request request, ByteBuf data) throws IOException {
        int length = (int) request.length();
        try {
            store.read(request.offset(), data.nioBuffer(0, length));
            data.writerIndex(length);
            return new Reply(0, request.cookie(), data);
        } catch (IOException | RuntimeException e) {
            data.release();
            throw e;
        }
    }

    private Reply write(Request request) throws IOException {
        ByteBuf payload = request.payload();
        if (payload.readableBytes() != request.length()) {
            // An oversized write whose bytes were skipped: the validator refuses it first.
            return Reply.error(request.cookie(), EINVAL);
        }
        // The decoder hands over the payload uncopied, possibly as several buffers.
        boolean fua = request.hasFlag(CMD_FLAG_FUA);
        if (payload.nioBufferCount() == 1) {
            store.write(request.offset(), payload.nioBuffer(), fua);
        } else {
            // One write for the whole request, gathered from the pieces without a copy:
            // written piece by piece, two concurrent writes to the same range could
            // interleave and leave a mix that neither client wrote.
            store.write(request.offset(), payload.nioBuffers(), fua);
        }
        return Reply.ok(request.cookie());
    }

    private Reply flush(Request request) throws IOException {
        store.flush();
        return Reply.ok(request.cookie());
    }

    private Reply trim(Request request) throws IOException {
        store.trim(request.offset(), request.length(), request.hasFlag(CMD_FLAG_FUA));
        return Reply.ok(request.cookie());
    }

    /** Read-ahead is a hint: the reply does not wait for the data to arrive in the cache. */
    private Reply cache(Request request) throws IOException {
        store.cache(request.offset(), request.length());
        return Reply.ok(request.cookie());
    }

    private Reply writeZeroes(Request request) throws IOException {
        boolean mayPunch = !request.hasFlag(CMD_FLAG_NO_HOLE);
        if (request.hasFlag(CMD_FLAG_FAST_ZERO) && !store.zeroesFast(mayPunch)) {
            // Refused before touching the file, so the client can zero another way.
            return Reply.error(request.cookie(), ENOTSUP);
        }
        store.writeZeroes(request.offset(), request.length(),
                !request.hasFlag(CMD_FLAG_NO_HOLE), request.hasFlag(CMD_FLAG_FUA));
        return Reply.ok(request.cookie());
    }

    static String commandName(int type) {
        return switch (type) {
            case CMD_READ -> "READ";
            case CMD_WRITE -> "WRITE";
            case CMD_DISC -> "DISC";
            case CMD_FLUSH -> "FLUSH";
            case CMD_TRIM -> "TRIM";
            case CMD_CACHE -> "CACHE";
            case CMD_WRITE_ZEROES -> "WRITE_ZEROES";
            case CMD_BLOCK_STATUS -> "BLOCK_STATUS";
            case CMD_ENTRUST -> "ENTRUST";
            default -> "command " + type;
        };
    }
}
