package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@link ReplyChunk}s: the chunk header and the type's fixed fields in one buffer,
 * then an {@link ReplyChunk.OffsetData}'s data as a buffer of its own, never copied. The
 * handshake installs it only for a client that negotiated structured replies, so a chunk
 * can never reach a client that would not understand it.
 */
public final class ChunkEncoder extends ChannelOutboundHandlerAdapter {
    /** The name the handshake gives this handler in the pipeline. */
    public static final String NAME = "nbd-chunk-encoder";

    /** Promise for the header half of a two-part write; the caller's promise covers the data. */
    private ChannelPromise headerPromise;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        headerPromise = new VoidChannelPromise(ctx.channel(), false);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ReplyChunk chunk)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf payload = chunk instanceof ReplyChunk.OffsetData data ? data.data() : Unpooled.EMPTY_BUFFER;
        ByteBuf header;
        try {
            header = ctx.alloc().ioBuffer(Nbd.CHUNK_HEADER_LENGTH + chunk.dataLength() - payload.readableBytes());
            encodeHead(chunk, header);
        } catch (RuntimeException | java.lang.Error e) {
            payload.release();
            throw e;
        }
        TwoPartWrite.write(ctx, header, payload, headerPromise, promise);
    }

    /** Writes everything of {@code chunk} but an OFFSET_DATA chunk's data. */
    static void encodeHead(ReplyChunk chunk, ByteBuf out) {
        out.writeInt(Nbd.STRUCTURED_REPLY_MAGIC)
                .writeShort(chunk.done() ? Nbd.REPLY_FLAG_DONE : 0)
                .writeShort(chunk.type())
                .writeLong(chunk.cookie())
                .writeInt(chunk.dataLength());
        if (chunk instanceof ReplyChunk.OffsetData data) {
            out.writeLong(data.offset());
        } else if (chunk instanceof ReplyChunk.OffsetHole hole) {
            out.writeLong(hole.offset()).writeInt(hole.length());
        } else if (chunk instanceof ReplyChunk.BlockStatus status) {
            out.writeInt(status.contextId());
            for (ReplyChunk.Extent extent : status.extents()) {
                out.writeInt((int) extent.length()).writeInt(extent.flags());
            }
        } else if (chunk instanceof ReplyChunk.Error error) {
            out.writeInt(error.errno()).writeShort(Utf8.length(error.message()));
            out.writeCharSequence(error.message(), StandardCharsets.UTF_8);
            error.offset().ifPresent(out::writeLong);
        } else if (!(chunk instanceof ReplyChunk.None)) {
            throw new IllegalStateException("no encoding for " + chunk);
        }
    }
}
