package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes {@link StructuredReply}s: for each chunk, the header and the type's fixed fields in
 * one buffer, then an {@link ReplyChunk.OffsetData}'s bytes as a retained slice of the
 * reply's buffer, never copied. The handshake installs it only for a client that
 * negotiated structured replies, so a chunk never reaches a client that would not expect it.
 */
public final class ChunkEncoder extends MessageToMessageEncoder<StructuredReply> {
    /** The name the handshake gives this handler in the pipeline. */
    public static final String NAME = "nbd-chunk-encoder";

    public ChunkEncoder() {
        super(StructuredReply.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, StructuredReply reply, List<Object> out) {
        List<ReplyChunk> chunks = reply.chunks();
        for (int i = 0; i < chunks.size(); i++) {
            ReplyChunk chunk = chunks.get(i);
            ByteBuf data = chunk instanceof ReplyChunk.OffsetData d ? d.data() : null;
            int fixed = chunk.dataLength() - (data == null ? 0 : data.readableBytes());
            ByteBuf head = ctx.alloc().ioBuffer(Nbd.CHUNK_HEADER_LENGTH + fixed);
            out.add(head);
            encodeHead(reply.cookie(), i == chunks.size() - 1, chunk, head);
            if (data != null) {
                EncodedPayload.addPayload(data, out);
            }
        }
    }

    /** Writes the chunk header and everything of {@code chunk} but an OFFSET_DATA chunk's bytes. */
    static void encodeHead(long cookie, boolean done, ReplyChunk chunk, ByteBuf out) {
        out.writeInt(Nbd.STRUCTURED_REPLY_MAGIC)
                .writeShort(done ? Nbd.REPLY_FLAG_DONE : 0)
                .writeShort(chunk.type())
                .writeLong(cookie)
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
        }
        // ReplyChunk.None has nothing after the header.
    }
}
