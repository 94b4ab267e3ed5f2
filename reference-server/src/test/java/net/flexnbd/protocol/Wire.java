package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/** Builds raw wire bytes for codec tests, independently of the encoders under test. */
final class Wire {
    private Wire() {}

    static ByteBuf requestHeader(int magic, int flags, int type, long cookie, long offset, long length) {
        return Unpooled.buffer(Nbd.REQUEST_HEADER_LENGTH)
                .writeInt(magic).writeShort(flags).writeShort(type)
                .writeLong(cookie).writeLong(offset).writeInt((int) length);
    }

    static ByteBuf requestHeader(int flags, int type, long cookie, long offset, long length) {
        return requestHeader(Nbd.REQUEST_MAGIC, flags, type, cookie, offset, length);
    }

    static ByteBuf write(long cookie, long offset, byte[] data) {
        return Unpooled.wrappedBuffer(requestHeader(0, Nbd.CMD_WRITE, cookie, offset, data.length),
                Unpooled.wrappedBuffer(data));
    }

    static ByteBuf replyHeader(int magic, int error, long cookie) {
        return Unpooled.buffer(Nbd.REPLY_HEADER_LENGTH).writeInt(magic).writeInt(error).writeLong(cookie);
    }

    static ByteBuf option(int option, byte[] data) {
        return Unpooled.buffer().writeLong(Nbd.IHAVEOPT).writeInt(option).writeInt(data.length).writeBytes(data);
    }

    /** NBD_OPT_GO / NBD_OPT_INFO data: name length, name, info count, info types. */
    static byte[] infoData(String name, int... infos) {
        byte[] nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuf data = Unpooled.buffer().writeInt(nameBytes.length).writeBytes(nameBytes).writeShort(infos.length);
        for (int info : infos) {
            data.writeShort(info);
        }
        return bytes(data);
    }

    static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    /** Feeds {@code frame} into the channel one byte at a time; returns the one-byte buffers fed. */
    static List<ByteBuf> writeByteByByte(EmbeddedChannel channel, ByteBuf frame) {
        List<ByteBuf> fed = new ArrayList<>();
        while (frame.isReadable()) {
            ByteBuf one = frame.readRetainedSlice(1);
            fed.add(one);
            channel.writeInbound(one);
        }
        frame.release();
        return fed;
    }

    /** Everything the channel wrote, concatenated into one buffer (the outbound buffers are released). */
    static ByteBuf drainOutbound(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    /** One option reply as a client reads it. */
    record OptionReplyFrame(int option, int type, byte[] data) {
        ByteBuf buf() {
            return Unpooled.wrappedBuffer(data);
        }
    }

    /** Every option reply the channel wrote so far, parsed (and the buffers released). */
    static List<OptionReplyFrame> optionReplies(EmbeddedChannel channel) {
        ByteBuf all = drainOutbound(channel);
        List<OptionReplyFrame> replies = new ArrayList<>();
        while (all.isReadable()) {
            long magic = all.readLong();
            if (magic != Nbd.OPTION_REPLY_MAGIC) {
                throw new AssertionError(String.format("option reply magic 0x%x", magic));
            }
            int option = all.readInt();
            int type = all.readInt();
            byte[] data = new byte[all.readInt()];
            all.readBytes(data);
            replies.add(new OptionReplyFrame(option, type, data));
        }
        all.release();
        return replies;
    }

    /** NBD_OPT_LIST_META_CONTEXT / SET_META_CONTEXT data: export name, query count, queries. */
    static byte[] metaContextData(String export, String... queries) {
        ByteBuf data = Unpooled.buffer();
        writeString(data, export);
        data.writeInt(queries.length);
        for (String query : queries) {
            writeString(data, query);
        }
        return bytes(data);
    }

    private static void writeString(ByteBuf out, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(bytes.length).writeBytes(bytes);
    }
}
