package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The client-side decoder of a client that negotiated structured replies: chunks come out as
 * {@link ChunkFrame}s beside simple replies, and a frame re-encoded under another cookie is
 * the chunk the server sent, byte for byte, but for the cookie.
 */
class StructuredReplyDecoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new ReplyDecoder(cookie -> 0, true));

    @Test
    void chunksAndSimpleRepliesComeOutInOrder() {
        ByteBuf wire = Unpooled.buffer();
        encode(wire, 7, false, new ReplyChunk.OffsetData(4096, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
        encode(wire, 7, true, new ReplyChunk.OffsetHole(4099, 512));
        wire.writeBytes(Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, 0, 8));
        encode(wire, 9, true, new ReplyChunk.Error(Nbd.EIO, "disk gone", OptionalLong.empty()));

        channel.writeInbound(wire);

        List<Object> out = readAll();
        assertThat(out).hasSize(4);
        ChunkFrame data = (ChunkFrame) out.get(0);
        assertThat(data.type()).isEqualTo(Nbd.REPLY_TYPE_OFFSET_DATA);
        assertThat(data.cookie()).isEqualTo(7);
        assertThat(data.done()).isFalse();
        assertThat(ByteBufUtil.getBytes(data.data())).containsExactly(0, 0, 0, 0, 0, 0, 16, 0, 1, 2, 3);
        ChunkFrame hole = (ChunkFrame) out.get(1);
        assertThat(hole.done()).isTrue();
        assertThat(hole.isError()).isFalse();
        assertThat(hole.errno()).isZero();
        assertThat(out.get(2)).isEqualTo(Reply.ok(8));
        ChunkFrame error = (ChunkFrame) out.get(3);
        assertThat(error.isError()).isTrue();
        assertThat(error.errno()).isEqualTo(Nbd.EIO);
        out.stream().filter(ChunkFrame.class::isInstance).forEach(f -> ((ChunkFrame) f).release());
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void byteByByteDecodesTheSameAndReleasesWhatItWasFed() {
        ByteBuf wire = Unpooled.buffer();
        encode(wire, 3, true, new ReplyChunk.BlockStatus(1, List.of(new ReplyChunk.Extent(8192, 3))));

        List<ByteBuf> fed = Wire.writeByteByByte(channel, wire);

        ChunkFrame status = (ChunkFrame) readAll().get(0);
        assertThat(status.type()).isEqualTo(Nbd.REPLY_TYPE_BLOCK_STATUS);
        assertThat(ByteBufUtil.getBytes(status.data())).containsExactly(0, 0, 0, 1, 0, 0, 32, 0, 0, 0, 0, 3);
        status.release();
        assertThat(channel.finish()).isFalse();
        assertThat(fed).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void aFrameReencodedUnderAnotherCookieIsTheSameChunk() {
        ByteBuf original = Unpooled.buffer();
        encode(original, 42, true, new ReplyChunk.OffsetData(0, Unpooled.wrappedBuffer(new byte[] {9, 8, 7, 6})));
        ByteBuf expected = Unpooled.buffer();
        encode(expected, 1234, true, new ReplyChunk.OffsetData(0, Unpooled.wrappedBuffer(new byte[] {9, 8, 7, 6})));
        channel.writeInbound(original);
        ChunkFrame frame = (ChunkFrame) readAll().get(0);

        ByteBuf reencoded = frame.encodedWith(channel.alloc(), 1234);

        assertThat(ByteBufUtil.getBytes(reencoded)).containsExactly(ByteBufUtil.getBytes(expected));
        reencoded.release();
        frame.release();
        assertThat(frame.data().refCnt()).isZero();
    }

    @Test
    void withoutStructuredRepliesAChunkIsABadMagicThatCloses() {
        EmbeddedChannel simple = new EmbeddedChannel(new ReplyDecoder(cookie -> 0));
        ByteBuf wire = Unpooled.buffer();
        encode(wire, 1, true, new ReplyChunk.None());

        try {
            simple.writeInbound(wire);
        } catch (ProtocolException expected) {
            assertThat(expected).hasMessageContaining("reply magic");
        }

        assertThat(simple.isOpen()).isFalse();
        assertThat((Object) simple.readInbound()).isNull();
    }

    @Test
    void anOverlongChunkCloses() {
        ByteBuf header = Unpooled.buffer().writeInt(Nbd.STRUCTURED_REPLY_MAGIC).writeShort(Nbd.REPLY_FLAG_DONE)
                .writeShort(Nbd.REPLY_TYPE_OFFSET_DATA).writeLong(5).writeInt(ReplyDecoder.MAX_CHUNK_LENGTH + 1);

        try {
            channel.writeInbound(header);
        } catch (ProtocolException expected) {
            assertThat(expected).hasMessageContaining("over the limit");
        }

        assertThat(channel.isOpen()).isFalse();
    }

    private static void encode(ByteBuf out, long cookie, boolean done, ReplyChunk chunk) {
        ChunkEncoder.encodeHead(cookie, done, chunk, out);
        if (chunk instanceof ReplyChunk.OffsetData data) {
            out.writeBytes(data.data());
        }
    }

    private List<Object> readAll() {
        List<Object> out = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            out.add(msg);
        }
        return out;
    }
}
