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
    void offsetDataIsAHeaderThenASliceOfTheReplysBufferUncopied() {
        ByteBuf data = Unpooled.directBuffer(3).writeBytes(new byte[] {1, 2, 3});

        ChannelFuture written = channel.writeAndFlush(
                new StructuredReply(7, List.of(new ReplyChunk.OffsetData(4096, data.slice())), data));

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
        ByteBuf sent = channel.readOutbound();
        assertThat(sent.unwrap()).isSameAs(data);
        sent.release();
        assertThat(data.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void onlyTheLastChunkIsDoneAndAllCarryTheCookie() {
        ByteBuf data = Unpooled.buffer(8).writeLong(-1);
        StructuredReply read = new StructuredReply(5, List.of(
                new ReplyChunk.OffsetData(0, data.slice(0, 4)),
                new ReplyChunk.OffsetHole(4, 1000),
                new ReplyChunk.OffsetData(1004, data.slice(4, 4))), data);

        channel.writeAndFlush(read);

        List<Parsed> chunks = parse(Wire.drainOutbound(channel));
        assertThat(chunks).extracting(Parsed::cookie).containsOnly(5L);
        assertThat(chunks).extracting(Parsed::done).containsExactly(false, false, true);
        assertThat(chunks.get(1).chunk()).isEqualTo(new ReplyChunk.OffsetHole(4, 1000));
        assertThat(data.refCnt()).isZero();
    }

    @Test
    void holeIsOffsetAndLength() {
        channel.writeAndFlush(StructuredReply.of(9, new ReplyChunk.OffsetHole(1L << 40, 65536)));

        ByteBuf bytes = Wire.drainOutbound(channel);
        assertThat(bytes.readableBytes()).isEqualTo(Nbd.CHUNK_HEADER_LENGTH + 12);
        assertThat(bytes.getUnsignedShort(6)).isEqualTo(Nbd.REPLY_TYPE_OFFSET_HOLE);
        assertThat(bytes.getLong(20)).isEqualTo(1L << 40);
        assertThat(bytes.getInt(28)).isEqualTo(65536);
        bytes.release();
    }

    @Test
    void blockStatusCarriesUnsigned32BitLengths() {
        channel.writeAndFlush(StructuredReply.of(1, new ReplyChunk.BlockStatus(Nbd.BASE_ALLOCATION_ID,
                List.of(new ReplyChunk.Extent(0xFFFF_FFFFL, Nbd.STATE_HOLE | Nbd.STATE_ZERO), new ReplyChunk.Extent(512, 0)))));

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
        channel.writeAndFlush(StructuredReply.error(2, Nbd.EIO, "disk on fire"));
        channel.writeAndFlush(StructuredReply.of(3, new ReplyChunk.Error(Nbd.EIO, "bad sector", OptionalLong.of(8192))));

        assertThat(parse(Wire.drainOutbound(channel))).containsExactly(
                new Parsed(2, true, new ReplyChunk.Error(Nbd.EIO, "disk on fire")),
                new Parsed(3, true, new ReplyChunk.Error(Nbd.EIO, "bad sector", OptionalLong.of(8192))));
    }

    @Test
    void anOverlongMessageIsCutAtACharacterBoundary() {
        ReplyChunk.Error error = new ReplyChunk.Error(Nbd.EIO, "\u00e9".repeat(3000));

        assertThat(error.message().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(4096);
        assertThat(error.message()).isEqualTo("\u00e9".repeat(2048));
    }

    @Test
    void badChunksAndRepliesAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> new ReplyChunk.OffsetData(0, Unpooled.EMPTY_BUFFER)).hasMessageContaining("one byte");
        assertThatThrownBy(() -> new ReplyChunk.OffsetHole(0, 0)).hasMessageContaining("hole length (0)");
        assertThatThrownBy(() -> new ReplyChunk.Extent(1L << 32, 0)).hasMessageContaining("4294967296");
        assertThatThrownBy(() -> new ReplyChunk.BlockStatus(1, List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new ReplyChunk.Error(0, "x")).hasMessageContaining("nonzero errno");
        assertThatThrownBy(() -> new StructuredReply(1, List.of(), Unpooled.EMPTY_BUFFER)).hasMessageContaining("at least one");
        assertThatThrownBy(() -> StructuredReply.of(1, new ReplyChunk.OffsetData(0, Unpooled.buffer(1).writeByte(0))))
                .hasMessageContaining("buffer it slices");
    }

    @Test
    void aReplyWrittenToAClosedChannelReleasesItsData() {
        ByteBuf data = Unpooled.directBuffer(16).writeZero(16);
        channel.close();

        channel.writeAndFlush(new StructuredReply(1, List.of(new ReplyChunk.OffsetData(0, data.slice())), data));

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
    void randomRepliesRoundTrip(long seed) {
        Random random = new Random(seed);
        List<Parsed> expected = new ArrayList<>();
        for (int r = 1 + random.nextInt(6); r > 0; r--) {
            long cookie = random.nextLong();
            byte[] bytes = new byte[random.nextInt(5000)];
            random.nextBytes(bytes);
            ByteBuf content = Unpooled.wrappedBuffer(bytes);
            List<ReplyChunk> chunks = new ArrayList<>();
            int used = 0;
            for (int c = 1 + random.nextInt(6); c > 0; c--) {
                ReplyChunk chunk = randomChunk(random, content, used);
                if (chunk instanceof ReplyChunk.OffsetData d) {
                    used += d.data().readableBytes();
                }
                chunks.add(chunk);
                expected.add(new Parsed(cookie, c == 1, copyOf(chunk)));
            }
            channel.write(new StructuredReply(cookie, chunks, content));
        }
        channel.flush();

        assertThat(parse(Wire.drainOutbound(channel))).as("seed %d", seed).isEqualTo(expected);
        assertThat(channel.finish()).isFalse();
    }

    private static ReplyChunk randomChunk(Random random, ByteBuf content, int used) {
        long offset = random.nextLong() >>> 1;
        int left = content.readableBytes() - used;
        return switch (left == 0 ? 1 + random.nextInt(4) : random.nextInt(5)) {
            case 0 -> new ReplyChunk.OffsetData(offset, content.slice(used, 1 + random.nextInt(left)));
            case 1 -> new ReplyChunk.OffsetHole(offset, 1 + random.nextInt(Integer.MAX_VALUE));
            case 2 -> {
                List<ReplyChunk.Extent> extents = new ArrayList<>();
                for (int i = 1 + random.nextInt(20); i > 0; i--) {
                    extents.add(new ReplyChunk.Extent(1 + (random.nextLong() >>> 33), random.nextInt(4)));
                }
                yield new ReplyChunk.BlockStatus(random.nextInt(), extents);
            }
            case 3 -> new ReplyChunk.Error(1 + random.nextInt(200), "message " + random.nextInt(),
                    random.nextBoolean() ? OptionalLong.of(offset) : OptionalLong.empty());
            default -> new ReplyChunk.None();
        };
    }

    private static ReplyChunk copyOf(ReplyChunk chunk) {
        return chunk instanceof ReplyChunk.OffsetData d
                ? new ReplyChunk.OffsetData(d.offset(), Unpooled.copiedBuffer(d.data())) : chunk;
    }

    /** A chunk as a client reads it. */
    record Parsed(long cookie, boolean done, ReplyChunk chunk) {}

    /** Reads structured reply chunks from wire bytes, independently of the encoder; releases {@code in}. */
    static List<Parsed> parse(ByteBuf in) {
        List<Parsed> chunks = new ArrayList<>();
        while (in.isReadable()) {
            assertThat(in.readInt()).isEqualTo(Nbd.STRUCTURED_REPLY_MAGIC);
            boolean done = (in.readUnsignedShort() & Nbd.REPLY_FLAG_DONE) != 0;
            int type = in.readUnsignedShort();
            long cookie = in.readLong();
            ByteBuf data = in.readSlice(in.readInt());
            ReplyChunk chunk = switch (type) {
                case Nbd.REPLY_TYPE_OFFSET_DATA -> new ReplyChunk.OffsetData(data.readLong(), Unpooled.copiedBuffer(data));
                case Nbd.REPLY_TYPE_OFFSET_HOLE -> new ReplyChunk.OffsetHole(data.readLong(), data.readInt());
                case Nbd.REPLY_TYPE_BLOCK_STATUS -> {
                    int id = data.readInt();
                    List<ReplyChunk.Extent> extents = new ArrayList<>();
                    while (data.isReadable()) {
                        extents.add(new ReplyChunk.Extent(data.readUnsignedInt(), data.readInt()));
                    }
                    yield new ReplyChunk.BlockStatus(id, extents);
                }
                case Nbd.REPLY_TYPE_ERROR, Nbd.REPLY_TYPE_ERROR_OFFSET -> {
                    int errno = data.readInt();
                    String message = data.readCharSequence(data.readUnsignedShort(), StandardCharsets.UTF_8).toString();
                    OptionalLong offset = type == Nbd.REPLY_TYPE_ERROR_OFFSET ? OptionalLong.of(data.readLong()) : OptionalLong.empty();
                    assertThat(data.isReadable()).isFalse();
                    yield new ReplyChunk.Error(errno, message, offset);
                }
                case Nbd.REPLY_TYPE_NONE -> {
                    assertThat(data.isReadable()).isFalse();
                    yield new ReplyChunk.None();
                }
                default -> throw new AssertionError("unknown chunk type " + type);
            };
            chunks.add(new Parsed(cookie, done, chunk));
        }
        in.release();
        return chunks;
    }
}
