package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import net.flexnbd.protocol.Wire.OptionReplyFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The options around structured replies and metadata contexts, and what they negotiate. */
class StructuredHandshakeTest {

    private static final int FLAGS = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_SEND_FLUSH | Nbd.TFLAG_READ_ONLY;
    private static final ExportDescription EXPORT =
            new ExportDescription("disk", "a test disk", 1L << 40, FLAGS);
    private static final int CLIENT_FLAGS = Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES;

    private final AtomicReference<Negotiation> negotiated = new AtomicReference<>();

    @Test
    void structuredRepliesAreAckedAndGoAdvertisesDfAndInstallsTheChunkEncoder() {
        EmbeddedChannel channel = negotiating();

        assertThat(types(send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]))).containsExactly(Nbd.REP_ACK);
        List<OptionReplyFrame> go = send(channel, Nbd.OPT_GO, Wire.infoData(""));

        ByteBuf info = go.get(0).buf();
        assertThat(info.readUnsignedShort()).isEqualTo(Nbd.INFO_EXPORT);
        assertThat(info.readLong()).isEqualTo(EXPORT.size());
        assertThat(info.readUnsignedShort()).isEqualTo(FLAGS | Nbd.TFLAG_SEND_DF);
        assertThat(negotiated.get()).isEqualTo(new Negotiation(true, false));
        assertThat(channel.pipeline().get(ChunkEncoder.NAME)).isInstanceOf(ChunkEncoder.class);
    }

    @Test
    void withoutStructuredRepliesNoDfAndNoChunkEncoder() {
        EmbeddedChannel channel = negotiating();

        List<OptionReplyFrame> go = send(channel, Nbd.OPT_GO, Wire.infoData(""));

        ByteBuf info = go.get(0).buf().skipBytes(2 + 8);
        assertThat(info.readUnsignedShort()).isEqualTo(FLAGS);
        assertThat(negotiated.get()).isEqualTo(Negotiation.SIMPLE);
        assertThat(channel.pipeline().get(ChunkEncoder.NAME)).isNull();
    }

    @Test
    void exportNameAfterStructuredRepliesAlsoAdvertisesDf() {
        EmbeddedChannel channel = negotiating();
        send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]);

        channel.writeInbound(Wire.option(Nbd.OPT_EXPORT_NAME, new byte[0]));

        ByteBuf reply = Wire.drainOutbound(channel);
        assertThat(reply.readableBytes()).isEqualTo(10);
        assertThat(reply.readLong()).isEqualTo(EXPORT.size());
        assertThat(reply.readUnsignedShort()).isEqualTo(FLAGS | Nbd.TFLAG_SEND_DF);
        reply.release();
        assertThat(negotiated.get().structuredReplies()).isTrue();
    }

    @Test
    void structuredRepliesAskedTwiceRefusesTheSecondAndKeepsTheFirst() {
        EmbeddedChannel channel = negotiating();

        send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
        assertThat(types(send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]))).containsExactly(Nbd.REP_ERR_INVALID);
        send(channel, Nbd.OPT_GO, Wire.infoData(""));

        assertThat(negotiated.get().structuredReplies()).isTrue();
    }

    @Test
    void structuredRepliesWithDataAreInvalidAndNotNegotiated() {
        EmbeddedChannel channel = negotiating();

        assertThat(types(send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[] {0}))).containsExactly(Nbd.REP_ERR_INVALID);
        send(channel, Nbd.OPT_GO, Wire.infoData(""));

        assertThat(negotiated.get()).isEqualTo(Negotiation.SIMPLE);
    }

    @Test
    void metaContextsBeforeStructuredRepliesAreInvalid() {
        EmbeddedChannel channel = negotiating();

        assertThat(types(send(channel, Nbd.OPT_LIST_META_CONTEXT, Wire.metaContextData("")))).containsExactly(Nbd.REP_ERR_INVALID);
        assertThat(types(send(channel, Nbd.OPT_SET_META_CONTEXT, Wire.metaContextData("", Nbd.BASE_ALLOCATION))))
                .containsExactly(Nbd.REP_ERR_INVALID);
        send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
        send(channel, Nbd.OPT_GO, Wire.infoData(""));

        assertThat(negotiated.get()).isEqualTo(new Negotiation(true, false));
    }

    @Test
    void listWithoutQueriesOrWithTheBaseNamespaceNamesBaseAllocationWithIdZero() {
        EmbeddedChannel channel = structured();

        for (byte[] data : List.of(Wire.metaContextData("disk"), Wire.metaContextData("", "base:"),
                Wire.metaContextData("", "x-other:thing", Nbd.BASE_ALLOCATION))) {
            List<OptionReplyFrame> replies = send(channel, Nbd.OPT_LIST_META_CONTEXT, data);
            assertThat(types(replies)).containsExactly(Nbd.REP_META_CONTEXT, Nbd.REP_ACK);
            assertMetaContext(replies.get(0), 0);
        }
    }

    @Test
    void listOfUnknownNamespacesOrContextsIsJustAnAck() {
        EmbeddedChannel channel = structured();

        List<OptionReplyFrame> replies = send(channel, Nbd.OPT_LIST_META_CONTEXT,
                Wire.metaContextData("", "qemu:dirty-bitmap:b0", "base:other", "no-colon-at-all"));

        assertThat(types(replies)).containsExactly(Nbd.REP_ACK);
    }

    @Test
    void setBaseAllocationBeforeGoSelectsItForTransmission() {
        EmbeddedChannel channel = structured();

        List<OptionReplyFrame> replies = send(channel, Nbd.OPT_SET_META_CONTEXT,
                Wire.metaContextData("", "x-foo:bar", Nbd.BASE_ALLOCATION));
        send(channel, Nbd.OPT_GO, Wire.infoData(""));

        assertThat(types(replies)).containsExactly(Nbd.REP_META_CONTEXT, Nbd.REP_ACK);
        assertMetaContext(replies.get(0), Nbd.BASE_ALLOCATION_ID);
        assertThat(negotiated.get()).isEqualTo(new Negotiation(true, true));
    }

    @Test
    void aLaterSetReplacesTheSelectionEvenWithNothing() {
        EmbeddedChannel channel = structured();

        send(channel, Nbd.OPT_SET_META_CONTEXT, Wire.metaContextData("", Nbd.BASE_ALLOCATION));
        assertThat(types(send(channel, Nbd.OPT_SET_META_CONTEXT, Wire.metaContextData("", "base:"))))
                .containsExactly(Nbd.REP_ACK);
        send(channel, Nbd.OPT_GO, Wire.infoData(""));

        assertThat(negotiated.get()).isEqualTo(new Negotiation(true, false));
    }

    @Test
    void malformedMetaContextDataIsInvalidAndHagglingGoesOn() {
        EmbeddedChannel channel = structured();
        byte[] countTooLarge = Wire.bytes(Unpooled.buffer().writeInt(0).writeInt(3).writeInt(1).writeByte('b'));
        byte[] notUtf8 = Wire.bytes(Unpooled.buffer().writeInt(0).writeInt(1).writeInt(2).writeByte(0xC3).writeByte(0x28));
        byte[] trailing = Wire.bytes(Unpooled.wrappedBuffer(Wire.metaContextData("", Nbd.BASE_ALLOCATION), new byte[] {7}));

        for (byte[] data : List.of(new byte[0], countTooLarge, notUtf8, trailing)) {
            assertThat(types(send(channel, Nbd.OPT_SET_META_CONTEXT, data))).containsExactly(Nbd.REP_ERR_INVALID);
        }
        send(channel, Nbd.OPT_GO, Wire.infoData(""));
        assertThat(negotiated.get()).isEqualTo(new Negotiation(true, false));
    }

    @Test
    void goSendsNameAndDescriptionWhenAsked() {
        EmbeddedChannel channel = negotiating();

        List<OptionReplyFrame> replies = send(channel, Nbd.OPT_GO,
                Wire.infoData("", Nbd.INFO_DESCRIPTION, Nbd.INFO_NAME));

        assertThat(types(replies)).containsExactly(Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_ACK);
        assertThat(infoString(replies.get(1), Nbd.INFO_NAME)).isEqualTo("disk");
        assertThat(infoString(replies.get(2), Nbd.INFO_DESCRIPTION)).isEqualTo("a test disk");
        ByteBuf sizes = replies.get(3).buf();
        assertThat(sizes.readUnsignedShort()).isEqualTo(Nbd.INFO_BLOCK_SIZE);
        assertThat(sizes.readInt()).as("minimum").isEqualTo(1);
    }

    @Test
    void anEmptyDescriptionIsNotSent() {
        EmbeddedChannel channel = negotiating(new ExportDescription("", 4096, FLAGS));

        List<OptionReplyFrame> replies = send(channel, Nbd.OPT_INFO, Wire.infoData("", Nbd.INFO_DESCRIPTION));

        assertThat(types(replies)).containsExactly(Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_ACK);
    }

    @Test
    void oldstyleIsAlwaysSimple() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new ServerHandshake(EXPORT, HandshakeStyle.OLDSTYLE, (p, n) -> negotiated.set(n)));
        channel.pipeline().fireChannelActive();

        assertThat(Wire.drainOutbound(channel).readableBytes()).isEqualTo(Nbd.OLDSTYLE_HELLO_LENGTH);
        assertThat(negotiated.get()).isEqualTo(Negotiation.SIMPLE);
        assertThat(channel.pipeline().get(ChunkEncoder.NAME)).isNull();
    }

    @Test
    void aSimpleRepliesServerDoesNotOfferStructuredReplies() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE, pipeline -> {}));
        channel.pipeline().fireChannelActive();
        Wire.drainOutbound(channel).release();
        channel.writeInbound(Unpooled.buffer().writeInt(CLIENT_FLAGS));

        assertThat(types(send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]))).containsExactly(Nbd.REP_ERR_UNSUP);
        assertThat(types(send(channel, Nbd.OPT_LIST_META_CONTEXT, Wire.metaContextData(""))))
                .containsExactly(Nbd.REP_ERR_UNSUP);
    }

    static LongStream seeds() {
        return LongStream.range(1, 41);
    }

    /**
     * Random option sequences, valid and malformed, against a model of what they negotiate:
     * every option gets answers for it ending in ACK or an error, the channel stays open,
     * and GO then enters transmission with what the model expects.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomOptionSequencesNeverBreakTheHandshake(long seed) {
        Random random = new Random(seed);
        EmbeddedChannel channel = negotiating();
        boolean structured = false;
        boolean base = false;
        int count = 1 + random.nextInt(12);
        for (int i = 0; i < count; i++) {
            RandomOption option = RandomOption.pick(random);
            List<OptionReplyFrame> replies = option.sendTo(channel);
            assertThat(replies).as("seed %d option %s", seed, option).isNotEmpty();
            assertThat(replies).extracting(OptionReplyFrame::option).containsOnly(option.code());
            int last = replies.get(replies.size() - 1).type();
            assertThat(last == Nbd.REP_ACK || last < 0).as("seed %d %s ends with ACK or an error", seed, option).isTrue();
            if (option.code() == Nbd.OPT_STRUCTURED_REPLY && option.valid()) {
                structured = true;
            }
            if (option.code() == Nbd.OPT_SET_META_CONTEXT && option.valid() && structured) {
                base = option.selectsBase();
            }
            assertThat(channel.isOpen()).isTrue();
            assertThat(negotiated.get()).isNull();
        }
        send(channel, Nbd.OPT_GO, Wire.infoData(""));
        assertThat(negotiated.get()).as("seed %d", seed).isEqualTo(new Negotiation(structured, base));
        assertThat(channel.finish()).isFalse();
    }

    /** An option a random sequence may send: some valid, some malformed, some unknown. */
    record RandomOption(int code, byte[] data, boolean valid, boolean selectsBase) {
        static RandomOption pick(Random random) {
            return switch (random.nextInt(9)) {
                case 0 -> new RandomOption(Nbd.OPT_STRUCTURED_REPLY, new byte[0], true, false);
                case 1 -> new RandomOption(Nbd.OPT_STRUCTURED_REPLY, randomBytes(random, 1 + random.nextInt(8)), false, false);
                case 2 -> new RandomOption(Nbd.OPT_LIST_META_CONTEXT, Wire.metaContextData("", queries(random)), true, false);
                case 3 -> {
                    String[] queries = queries(random);
                    yield new RandomOption(Nbd.OPT_SET_META_CONTEXT, Wire.metaContextData("disk", queries), true,
                            List.of(queries).contains(Nbd.BASE_ALLOCATION));
                }
                case 4 -> new RandomOption(random.nextBoolean() ? Nbd.OPT_SET_META_CONTEXT : Nbd.OPT_LIST_META_CONTEXT,
                        randomBytes(random, random.nextInt(3)), false, false);
                case 5 -> new RandomOption(Nbd.OPT_INFO, Wire.infoData("x", Nbd.INFO_NAME, Nbd.INFO_DESCRIPTION), true, false);
                case 6 -> new RandomOption(Nbd.OPT_LIST, new byte[0], true, false);
                case 7 -> new RandomOption(Nbd.OPT_EXTENDED_HEADERS, new byte[0], false, false);
                default -> new RandomOption(12 + random.nextInt(1000), randomBytes(random, random.nextInt(64)), false, false);
            };
        }

        List<OptionReplyFrame> sendTo(EmbeddedChannel channel) {
            return send(channel, code, data);
        }

        private static String[] queries(Random random) {
            String[] pool = {Nbd.BASE_ALLOCATION, "base:", "qemu:dirty-bitmap:a", "x-y:z", "base:allocationX", ""};
            String[] queries = new String[random.nextInt(4)];
            for (int i = 0; i < queries.length; i++) {
                queries[i] = pool[random.nextInt(pool.length)];
            }
            return queries;
        }

        private static byte[] randomBytes(Random random, int length) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }

        @Override
        public String toString() {
            return "option " + code + " (" + data.length + " bytes)";
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    private EmbeddedChannel negotiating() {
        return negotiating(EXPORT);
    }

    private EmbeddedChannel negotiating(ExportDescription export) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ServerHandshake.NAME,
                new ServerHandshake(export, HandshakeStyle.NEWSTYLE, (pipeline, negotiation) -> negotiated.set(negotiation)));
        channel.pipeline().fireChannelActive();
        Wire.drainOutbound(channel).release();
        channel.writeInbound(Unpooled.buffer().writeInt(CLIENT_FLAGS));
        return channel;
    }

    private EmbeddedChannel structured() {
        EmbeddedChannel channel = negotiating();
        assertThat(types(send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]))).containsExactly(Nbd.REP_ACK);
        return channel;
    }

    private static List<OptionReplyFrame> send(EmbeddedChannel channel, int option, byte[] data) {
        channel.writeInbound(Wire.option(option, data));
        return Wire.optionReplies(channel);
    }

    private static List<Integer> types(List<OptionReplyFrame> replies) {
        List<Integer> types = new ArrayList<>();
        replies.forEach(r -> types.add(r.type()));
        return types;
    }

    private static void assertMetaContext(OptionReplyFrame reply, int expectedId) {
        ByteBuf data = reply.buf();
        assertThat(data.readInt()).isEqualTo(expectedId);
        assertThat(data.toString(StandardCharsets.UTF_8)).isEqualTo(Nbd.BASE_ALLOCATION);
    }

    private static String infoString(OptionReplyFrame reply, int expectedType) {
        ByteBuf data = reply.buf();
        assertThat(data.readUnsignedShort()).isEqualTo(expectedType);
        return data.toString(StandardCharsets.UTF_8);
    }
}
