package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link Reply}s on the server: a 16-byte header buffer, then the READ payload as a
 * buffer of its own (never copied), so the transport sends both in one gathering write.
 */
public final class ReplyEncoder extends MessageToMessageEncoder<Reply> {
    /** The name the handshake gives this handler in the pipeline. */
    public static final String NAME = "nbd-reply-encoder";

    public ReplyEncoder() {
        super(Reply.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Reply reply, List<Object> out) {
        ByteBuf header = ctx.alloc().ioBuffer(Nbd.REPLY_HEADER_LENGTH);
        header.writeInt(Nbd.SIMPLE_REPLY_MAGIC).writeInt(reply.error()).writeLong(reply.cookie());
        out.add(header);
        EncodedPayload.addPayload(reply.payload(), out);
    }
}
