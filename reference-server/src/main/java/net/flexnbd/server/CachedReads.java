package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.CMD_FLAG_DF;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.ReplyChunk;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.ServerReply;
import net.flexnbd.protocol.StructuredReply;
import net.flexnbd.storage.AllocationMap;
import net.flexnbd.storage.AllocationRun;
import net.flexnbd.storage.BlockStore;

/**
 * Answers a READ on the event loop when the page cache holds all of it
 * ({@link BlockStore#readCached}, which never waits for the disk), so that the common
 * case costs no hand-off to a storage thread and back. Anything else goes to a storage
 * thread: a miss, a store that cannot tell, and under structured replies a range with a
 * zero block in it whose runs the store does not know from memory
 * ({@link BlockStore#allocationCached}): only lseek, which may read the disk, can tell its
 * holes. Data without a zero block has no hole, so it is one OFFSET_DATA chunk.
 */
final class CachedReads {
    /** Blocks this size that read as zeroes may be holes; smaller ones are not worth a chunk. */
    static final int HOLE_CHECK_BLOCK = 4096;

    private final BlockStore store;

    CachedReads(BlockStore store) {
        this.store = store;
    }

    /**
     * The reply from the cache, carrying {@code data} (a buffer of the request's length,
     * empty), or null when the read must go to a storage thread: {@code data} is then still
     * empty and still the caller's. {@code structured}: the client negotiated structured replies.
     */
    ServerReply answer(Request request, ByteBuf data, boolean structured) {
        int length = (int) request.length();
        try {
            if (!store.readCached(request.offset(), data.nioBuffer(0, length))) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null; // the storage thread reads it again and reports the failure
        }
        if (!structured) {
            data.writerIndex(length);
            return new Reply(0, request.cookie(), data);
        }
        data.writerIndex(length);
        if (request.hasFlag(CMD_FLAG_DF) || !hasZeroBlock(data, length)) {
            return new StructuredReply(request.cookie(),
                    List.of(new ReplyChunk.OffsetData(request.offset(), data.slice(0, length))), data);
        }
        List<AllocationRun> runs = AllocationMap.cached(store, request.offset(), request.offset() + length,
                StructuredReplies.MAX_RUNS);
        if (runs == null || runs.get(runs.size() - 1).end() != request.offset() + length) {
            data.writerIndex(0);
            return null;
        }
        return new StructuredReply(request.cookie(), chunks(request.offset(), runs, data), data);
    }

    /**
     * The chunks of a read whose runs the store knows: data runs slice {@code data}, holes are
     * OFFSET_HOLE. A "hole" that read as anything but zeroes (a write that raced the map) is
     * sent as data, so that no byte read is ever dropped.
     */
    private static List<ReplyChunk> chunks(long offset, List<AllocationRun> runs, ByteBuf data) {
        List<ReplyChunk> chunks = new ArrayList<>(runs.size());
        for (AllocationRun run : runs) {
            int at = (int) (run.offset() - offset);
            int length = (int) run.length();
            if (run.hole() && isZero(data, at, at + length)) {
                chunks.add(new ReplyChunk.OffsetHole(run.offset(), length));
            } else {
                chunks.add(new ReplyChunk.OffsetData(run.offset(), data.slice(at, length)));
            }
        }
        return chunks;
    }

    /** True when some block of {@code data}'s first {@code length} bytes is all zeroes; real data fails each block at once. */
    static boolean hasZeroBlock(ByteBuf data, int length) {
        for (int block = 0; block < length; block += HOLE_CHECK_BLOCK) {
            if (isZero(data, block, Math.min(length, block + HOLE_CHECK_BLOCK))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isZero(ByteBuf data, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            if (data.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < to; i++) {
            if (data.getByte(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
