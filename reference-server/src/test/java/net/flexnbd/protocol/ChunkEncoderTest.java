package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkEncoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new ChunkEncoder());

    @Test
    void offsetDataIsAHeaderThenTheSameBufferUncopied() {
        ByteBuf data = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});

        ChannelFuture written = channel.writeAndFlush(new ReplyChunk.OffsetData(7, true, 4096, data));

        assertThat(written.isSuccess()).isTrue();
        ByteBuf header = channel.readOutbound();
        assertThat(header.readInt()).isEqualTo(Nbd.STRUCTURED_REPLY_MAGIC);
        assertThat(header.readUnsignedShort()).isEqualTo(Nbd.REPLY_FLAG_DONE);
        assertThat(header.readUnsignedShort()).isEqualTo(Nbd.REPLY_TYPE_OFFSET_DATA);
        assertThat(header.readLong()).isEqualTo(7);
        assertThat(header.readInt()).isEqualTo(8 + 3);
        assertThat(header.readLong()).isEqualTo(4096);
        assertThat(header.isReadable()).isFalse();
        header.release();
        assertThat(channel.<Object>readOutbound()).isSameAs(data);
        data.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void holeIsOffsetAndLength() {
        channel.writeAndFlush(new ReplyChunk.OffsetHole(9, false, 1L << 40, 65536));

        ByteBuf bytes = Wire.drainOutbound(channel);
        assertThat(bytes.readableBytes()).isEqualTo(Nbd.CHUNK_HEADER_LENGTH + 12);
        assertThat(bytes.getUnsignedShort(4)).isZero();
        assertThat(bytes.getUnsignedShort(6)).isEqualTo(Nbd.REPLY_TYPE_OFFSET_HOLE);
        assertThat(bytes.getLong(20)).isEqualTo(1L << 40);
        assertThat(bytes.getInt(28)).isEqualTo(65536);
        bytes.release();
    }

    @Test
    void blockStatusCarriesUnsigned32BitLengths() {
        channel.writeAndFlush(new ReplyChunk.BlockStatus(1, true, Nbd.BASE_ALLOCATION_ID,
                List.of(new ReplyChunk.Extent(0xFFFF_FFFFL, Nbd.STATE_HOLE | Nbd.STATE_ZERO), new ReplyChunk.Extent(512, 0))));

        ByteBuf bytes = Wire.drainOutbound(channel);
        assertThat(bytes.getInt(16)).isEqualTo(4 + 16);
        assertThat(bytes.getInt(20)).isEqualTo(Nbd.BASE_ALLOCATION_ID);
        assertThat(bytes.getUnsignedInt(24)).isEqualTo(0xFFFF_FFFFL);
        assertThat(bytes.getInt(28)).isEqualTo(3);
        assertThat(bytes.getInt(32)).isEqualTo(512);
        assertThat(bytes.getInt(36)).isZero();
        bytes.release();
    }

    @Test
    void errorsCarryErrnoMessageAndOptionalOffset() {
        channel.writeAndFlush(ReplyChunk.Error.of(2, Nbd.EIO, "disk on fire"));
        channel.writeAndFlush(new ReplyChunk.Error(3, false, Nbd.EIO, "bad sector", OptionalLong.of(8192)));

        List<ReplyChunk> chunks = parse(Wire.drainOutbound(channel));
        assertThat(chunks).containsExactly(ReplyChunk.Error.of(2, Nbd.EIO, "disk on fire"),
                new ReplyChunk.Error(3, false, Nbd.EIO, "bad sector", OptionalLong.of(8192)));
    }

    @Test
    void anOverlongMessageIsCutAtACharacterBoundary() {
        ReplyChunk.Error error = ReplyChunk.Error.of(1, Nbd.EIO, "é".repeat(3000));

        assertThat(error.message().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(4096);
        assertThat(error.message()).isEqualTo("é".repeat(2048));
    }

    @Test
    void badChunksAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> new ReplyChunk.OffsetHole(1, true, 0, 0)).hasMessageContaining("hole length (0)");
        assertThatThrownBy(() -> new ReplyChunk.Extent(1L << 32, 0)).hasMessageContaining("4294967296");
        assertThatThrownBy(() -> new ReplyChunk.BlockStatus(1, true, 1, List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> ReplyChunk.Error.of(1, 0, "x")).hasMessageContaining("nonzero errno");
    }

    @Test
    void aChunkWrittenToAClosedChannelReleasesItsData() {
        ByteBuf data = Unpooled.directBuffer(16).writeZero(16);
        channel.close();

        channel.writeAndFlush(new ReplyChunk.OffsetData(1, true, 0, data));

        assertThat(data.refCnt()).isZero();
    }

    @Test
    void otherMessagesPassThrough() {
        ByteBuf raw = Unpooled.wrappedBuffer(new byte[] {42});
        channel.writeAndFlush(raw);

        assertThat(channel.<Object>readOutbound()).isSameAs(raw);
        raw.release();
    }

    static LongStream seeds() {
        return LongStream.range(1, 31);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomChunksRoundTrip(long seed) {
        Random random = new Random(seed);
        List<ReplyChunk> sent = new ArrayList<>();
        List<ReplyChunk> expected = new ArrayList<>();
        for (int i = 1 + random.nextInt(10); i > 0; i--) {
            ReplyChunk chunk = randomChunk(random);
            sent.add(chunk);
            expected.add(chunk instanceof ReplyChunk.OffsetData d
                    ? new ReplyChunk.OffsetData(d.cookie(), d.done(), d.offset(), d.data().copy()) : chunk);
        }
        sent.forEach(channel::write);
        channel.flush();

        List<ReplyChunk> received = parse(Wire.drainOutbound(channel));
        assertThat(received).as("seed %d", seed).isEqualTo(expected);
        expected.forEach(c -> { if (c instanceof ReplyChunk.OffsetData d) { d.release(); } });
        received.forEach(c -> { if (c instanceof ReplyChunk.OffsetData d) { d.release(); } });
        assertThat(channel.finish()).isFalse();
    }

    private static ReplyChunk randomChunk(Random random) {
        long cookie = random.nextLong();
        boolean done = random.nextBoolean();
        long offset = random.nextLong() >>> 1;
        return switch (random.nextInt(5)) {
            case 0 -> {
                byte[] bytes = new byte[random.nextInt(2000)];
                random.nextBytes(bytes);
                yield new ReplyChunk.OffsetData(cookie, done, offset, Unpooled.wrappedBuffer(bytes));
            }
            case 1 -> new ReplyChunk.OffsetHole(cookie, done, offset, 1 + random.nextInt(Integer.MAX_VALUE));
            case 2 -> {
                List<ReplyChunk.Extent> extents = new ArrayList<>();
                for (int i = 1 + random.nextInt(20); i > 0; i--) {
                    extents.add(new ReplyChunk.Extent(1 + (random.nextLong() >>> 33), random.nextInt(4)));
                }
                yield new ReplyChunk.BlockStatus(cookie, done, random.nextInt(), extents);
            }
            case 3 -> new ReplyChunk.Error(cookie, done, 1 + random.nextInt(200), "message " + random.nextInt(),
                    random.nextBoolean() ? OptionalLong.of(offset) : OptionalLong.empty());
            default -> new ReplyChunk.None(cookie);
        };
    }

    /** Reads structured reply chunks from wire bytes, independently of the encoder; releases {@code in}. */
    static List<ReplyChunk> parse(ByteBuf in) {
        List<ReplyChunk> chunks = new ArrayList<>();
        while (in.isReadable()) {
            assertThat(in.readInt()).isEqualTo(Nbd.STRUCTURED_REPLY_MAGIC);
            boolean done = (in.readUnsignedShort() & Nbd.REPLY_FLAG_DONE) != 0;
            int type = in.readUnsignedShort();
            long cookie = in.readLong();
            ByteBuf data = in.readSlice(in.readInt());
            chunks.add(switch (type) {
                case Nbd.REPLY_TYPE_OFFSET_DATA -> new ReplyChunk.OffsetData(cookie, done, data.readLong(), data.copy());
                case Nbd.REPLY_TYPE_OFFSET_HOLE -> new ReplyChunk.OffsetHole(cookie, done, data.readLong(), data.readInt());
                case Nbd.REPLY_TYPE_BLOCK_STATUS -> {
                    int id = data.readInt();
                    List<ReplyChunk.Extent> extents = new ArrayList<>();
                    while (data.isReadable()) {
                        extents.add(new ReplyChunk.Extent(data.readUnsignedInt(), data.readInt()));
                    }
                    yield new ReplyChunk.BlockStatus(cookie, done, id, extents);
                }
                case Nbd.REPLY_TYPE_ERROR, Nbd.REPLY_TYPE_ERROR_OFFSET -> {
                    int errno = data.readInt();
                    String message = data.readCharSequence(data.readUnsignedShort(), StandardCharsets.UTF_8).toString();
                    OptionalLong offset = type == Nbd.REPLY_TYPE_ERROR_OFFSET ? OptionalLong.of(data.readLong()) : OptionalLong.empty();
                    assertThat(data.isReadable()).isFalse();
                    yield new ReplyChunk.Error(cookie, done, errno, message, offset);
                }
                case Nbd.REPLY_TYPE_NONE -> {
                    assertThat(done).isTrue();
                    yield new ReplyChunk.None(cookie);
                }
                default -> throw new AssertionError("unknown chunk type " + type);
            });
        }
        in.release();
        return chunks;
    }
}
