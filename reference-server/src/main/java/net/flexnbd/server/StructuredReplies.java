package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.flexnbd.protocol.ReplyChunk;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.StructuredReply;
import net.flexnbd.storage.AllocationMap;
import net.flexnbd.storage.AllocationRun;
import net.flexnbd.storage.BlockStore;

/**
 * Builds the structured replies of a validated READ and BLOCK_STATUS from the store's data
 * and hole runs: a READ sends its holes as OFFSET_HOLE chunks (no zero bytes on the wire),
 * BLOCK_STATUS reports the runs as base:allocation extents.
 */
final class StructuredReplies {
    /**
     * Most chunks in one READ reply; a range more fragmented than that sends the rest as
     * one data chunk. Most extents in one BLOCK_STATUS reply; the client asks again for the rest.
     */
    static final int MAX_RUNS = 1024;

    private final BlockStore store;

    StructuredReplies(BlockStore store) {
        this.store = store;
    }

    /**
     * A READ: data runs as OFFSET_DATA chunks slicing one buffer, holes as OFFSET_HOLE. With
     * NBD_CMD_FLAG_DF the whole range goes as one OFFSET_DATA chunk, holes read as zeroes.
     */
    StructuredReply read(Request request, ByteBufAllocator alloc) throws IOException {
        int length = (int) request.length();
        return read(request, alloc.directBuffer(length, length));
    }

    /**
     * As above, into {@code content}, a buffer of at least the request's length that the
     * reply takes over (allocated on the event loop by the dispatcher); the data runs are
     * packed at its start. Released here when the read fails.
     */
    StructuredReply read(Request request, ByteBuf content) throws IOException {
        long offset = request.offset();
        long end = offset + request.length();
        try {
            List<AllocationRun> runs = request.hasFlag(CMD_FLAG_DF)
                    ? List.of(new AllocationRun(offset, request.length(), false))
                    : withTailAsData(AllocationMap.of(store, offset, end, MAX_RUNS), end);
            List<ReplyChunk> chunks = new ArrayList<>(runs.size());
            for (AllocationRun run : runs) {
                int length = (int) run.length();
                if (run.hole()) {
                    chunks.add(new ReplyChunk.OffsetHole(run.offset(), length));
                } else {
                    int at = content.writerIndex();
                    store.read(run.offset(), content.nioBuffer(at, length));
                    content.writerIndex(at + length);
                    chunks.add(new ReplyChunk.OffsetData(run.offset(), content.slice(at, length)));
                }
            }
            return new StructuredReply(request.cookie(), chunks, content);
        } catch (IOException | RuntimeException e) {
            content.release();
            throw e;
        }
    }

    /** BLOCK_STATUS for base:allocation: holes are HOLE|ZERO, data 0; one extent with REQ_ONE. */
    StructuredReply blockStatus(Request request) throws IOException {
        long offset = request.offset();
        return blockStatus(request, AllocationMap.of(store, offset, offset + request.length(), maxExtents(request)));
    }

    /**
     * As {@link #blockStatus(Request)} from the store's memory of its runs, without a disk
     * call (so on the event loop); null when the store does not know them all.
     */
    StructuredReply blockStatusCached(Request request) {
        long offset = request.offset();
        List<AllocationRun> runs = AllocationMap.cached(store, offset, offset + request.length(), maxExtents(request));
        return runs == null ? null : blockStatus(request, runs);
    }

    private static int maxExtents(Request request) {
        return request.hasFlag(CMD_FLAG_REQ_ONE) ? 1 : MAX_RUNS;
    }

    private static StructuredReply blockStatus(Request request, List<AllocationRun> runs) {
        List<ReplyChunk.Extent> extents = new ArrayList<>(runs.size());
        for (AllocationRun run : runs) {
            extents.add(new ReplyChunk.Extent(run.length(), run.hole() ? STATE_HOLE | STATE_ZERO : 0));
        }
        return StructuredReply.of(request.cookie(), new ReplyChunk.BlockStatus(BASE_ALLOCATION_ID, extents));
    }

    /** Runs that stop short of {@code end} (too fragmented) get the rest as one data run. */
    private static List<AllocationRun> withTailAsData(List<AllocationRun> runs, long end) {
        long covered = runs.get(runs.size() - 1).end();
        if (covered == end) {
            return runs;
        }
        List<AllocationRun> all = new ArrayList<>(runs);
        AllocationRun last = all.get(all.size() - 1);
        if (last.hole()) {
            all.add(new AllocationRun(covered, end - covered, false));
        } else {
            all.set(all.size() - 1, new AllocationRun(last.offset(), end - last.offset(), false));
        }
        return all;
    }
}
