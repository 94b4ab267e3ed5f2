package net.flexnbd.proxy;

import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.OptionalInt;
import net.flexnbd.protocol.ChunkFrame;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.ProtocolException;

/**
 * Makes an upstream's chunk into the chunk its client is to get: a data chunk as decoded
 * (slices of the received buffers, which may be held until the reply's last chunk arrives:
 * {@link net.flexnbd.protocol.ReplyDecoder} keeps no cumulation they could pin), and a
 * BLOCK_STATUS chunk's context id mapped from the id this upstream connection gave
 * base:allocation to the one the proxy gave its client, since every reconnection may bring
 * another. The cookie is the client's only when the chunk is written out.
 */
final class ChunkRelay {
    /** The id the proxy's own handshake gives base:allocation (docs/protocol.md). */
    static final int CLIENT_CONTEXT_ID = Nbd.BASE_ALLOCATION_ID;

    private ChunkRelay() {}

    /**
     * @param upstreamContextId the id this connection's upstream gave base:allocation, if selected
     * @throws ProtocolException for a BLOCK_STATUS chunk of a context this connection did not select
     */
    static ChunkFrame forClient(ByteBufAllocator alloc, ChunkFrame chunk, OptionalInt upstreamContextId)
            throws ProtocolException {
        if (chunk.type() != Nbd.REPLY_TYPE_BLOCK_STATUS) {
            return chunk;
        }
        int at = chunk.data().readerIndex();
        if (chunk.data().readableBytes() < 4 || upstreamContextId.isEmpty()
                || chunk.data().getInt(at) != upstreamContextId.getAsInt()) {
            chunk.release();
            throw new ProtocolException("a block status chunk for cookie " + Long.toUnsignedString(chunk.cookie())
                    + " names a metadata context this connection did not select");
        }
        // A copy of its own (a few bytes per extent), in which the id can be rewritten.
        ChunkFrame owned = new ChunkFrame(chunk.flags(), chunk.type(), chunk.cookie(), Payloads.own(alloc, chunk.data()));
        owned.data().setInt(owned.data().readerIndex(), CLIENT_CONTEXT_ID);
        return owned;
    }

    /** The error number an error chunk among {@code chunks} carries, or 0. */
    static int errno(List<ChunkFrame> chunks) {
        for (ChunkFrame chunk : chunks) {
            if (chunk.errno() != 0) {
                return chunk.errno();
            }
        }
        return 0;
    }
}
