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

/** Option haggling over several exports: LIST, INFO and GO by name, EXPORT_NAME, unknown names. */
class NamedExportsHandshakeTest {
    private static final int FLAGS = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_SEND_FLUSH;
    private static final ExportDescription DEFAULT = new ExportDescription("", "the default", 1L << 20, FLAGS);
    private static final ExportDescription ALPHA = new ExportDescription("alpha", "disk alpha", 2L << 20, FLAGS);
    private static final ExportDescription BETA =
            new ExportDescription("beta", "", 3L << 20, FLAGS | Nbd.TFLAG_READ_ONLY);
    private static final ExportCatalogue EXPORTS = ExportCatalogue.of(DEFAULT, List.of(ALPHA, BETA));

    private final AtomicReference<ExportDescription> picked = new AtomicReference<>();
    private final AtomicReference<Negotiation> negotiated = new AtomicReference<>();

    @Test
    void listNamesEveryExportWithItsDescription() {
        EmbeddedChannel channel = negotiating();

        List<OptionReplyFrame> replies = send(channel, Nbd.OPT_LIST, new byte[0]);

        assertThat(replies).extracting(OptionReplyFrame::type)
                .containsExactly(Nbd.REP_SERVER, Nbd.REP_SERVER, Nbd.REP_SERVER, Nbd.REP_ACK);
        assertThat(serverEntry(replies.get(0))).containsExactly("", "the default");
        assertThat(serverEntry(replies.get(1))).containsExactly("alpha", "disk alpha");
        assertThat(serverEntry(replies.get(2))).containsExactly("beta", "");
    }

    @Test
    void infoByNameDescribesThatExport() {
        EmbeddedChannel channel = negotiating();

        List<OptionReplyFrame> replies = send(channel, Nbd.OPT_INFO,
                Wire.infoData("beta", Nbd.INFO_NAME, Nbd.INFO_DESCRIPTION));

        ByteBuf info = replies.get(0).buf();
        assertThat(info.readUnsignedShort()).isEqualTo(Nbd.INFO_EXPORT);
        assertThat(info.readLong()).isEqualTo(BETA.size());
        assertThat(info.readUnsignedShort()).isEqualTo(BETA.transmissionFlags());
        assertThat(infoString(replies.get(1), Nbd.INFO_NAME)).isEqualTo("beta");
        // beta has no description: none is sent, block sizes and ACK follow.
        assertThat(replies).extracting(OptionReplyFrame::type)
                .containsExactly(Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_INFO, Nbd.REP_ACK);
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNotNull();
    }

    @Test
    void goByNamePicksThatExport() {
        EmbeddedChannel channel = negotiating();

        List<OptionReplyFrame> replies = send(channel, Nbd.OPT_GO, Wire.infoData("alpha", Nbd.INFO_DESCRIPTION));

        assertThat(replies.get(0).buf().skipBytes(2).readLong()).isEqualTo(ALPHA.size());
        assertThat(infoString(replies.get(1), Nbd.INFO_DESCRIPTION)).isEqualTo("disk alpha");
        assertThat(picked.get()).isEqualTo(ALPHA);
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNull();
    }

    @Test
    void theEmptyNamePicksTheDefaultExport() {
        EmbeddedChannel channel = negotiating();

        send(channel, Nbd.OPT_GO, Wire.infoData(""));

        assertThat(picked.get()).isEqualTo(DEFAULT);
    }

    @Test
    void anUnknownNameInInfoOrGoIsUnknownAndHagglingGoesOn() {
        EmbeddedChannel channel = negotiating();

        assertThat(types(send(channel, Nbd.OPT_INFO, Wire.infoData("gamma")))).containsExactly(Nbd.REP_ERR_UNKNOWN);
        List<OptionReplyFrame> go = send(channel, Nbd.OPT_GO, Wire.infoData("gamma"));
        assertThat(types(go)).containsExactly(Nbd.REP_ERR_UNKNOWN);
        assertThat(new String(go.get(0).data(), StandardCharsets.UTF_8)).contains("gamma");
        assertThat(picked.get()).isNull();

        send(channel, Nbd.OPT_GO, Wire.infoData("beta"));
        assertThat(picked.get()).isEqualTo(BETA);
    }

    @Test
    void exportNameByNamePicksThatExport() {
        EmbeddedChannel channel = negotiating();

        channel.writeInbound(Wire.option(Nbd.OPT_EXPORT_NAME, "beta".getBytes(StandardCharsets.UTF_8)));

        ByteBuf reply = Wire.drainOutbound(channel);
        assertThat(reply.readLong()).isEqualTo(BETA.size());
        assertThat(reply.readUnsignedShort()).isEqualTo(BETA.transmissionFlags());
        reply.release();
        assertThat(picked.get()).isEqualTo(BETA);
    }

    @Test
    void exportNameOfAnUnknownExportClosesWithoutAnAnswer() {
        EmbeddedChannel channel = negotiating();

        channel.writeInbound(Wire.option(Nbd.OPT_EXPORT_NAME, "gamma".getBytes(StandardCharsets.UTF_8)));

        ByteBuf reply = Wire.drainOutbound(channel);
        assertThat(reply.readableBytes()).isZero();
        reply.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(picked.get()).isNull();
    }

    @Test
    void exportNameThatIsNotUtf8FindsNothingAndCloses() {
        EmbeddedChannel channel = negotiating();

        channel.writeInbound(Wire.option(Nbd.OPT_EXPORT_NAME, new byte[] {(byte) 0xff, (byte) 0xfe}));

        Wire.drainOutbound(channel).release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aSelectionCountsOnlyForTheExportItNamed() {
        EmbeddedChannel channel = negotiating();
        send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]);

        assertThat(types(send(channel, Nbd.OPT_SET_META_CONTEXT, Wire.metaContextData("alpha", Nbd.BASE_ALLOCATION))))
                .containsExactly(Nbd.REP_META_CONTEXT, Nbd.REP_ACK);
        send(channel, Nbd.OPT_GO, Wire.infoData("beta"));

        assertThat(picked.get()).isEqualTo(BETA);
        assertThat(negotiated.get()).isEqualTo(new Negotiation(true, false));
    }

    @Test
    void aSelectionForThePickedExportStands() {
        EmbeddedChannel channel = negotiating();
        send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]);

        send(channel, Nbd.OPT_SET_META_CONTEXT, Wire.metaContextData("alpha", Nbd.BASE_ALLOCATION));
        send(channel, Nbd.OPT_GO, Wire.infoData("alpha"));

        assertThat(negotiated.get()).isEqualTo(new Negotiation(true, true));
    }

    @Test
    void metaContextsOfAnUnknownExportAreUnknownAndLeaveTheSelection() {
        EmbeddedChannel channel = negotiating();
        send(channel, Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
        send(channel, Nbd.OPT_SET_META_CONTEXT, Wire.metaContextData("", Nbd.BASE_ALLOCATION));

        assertThat(types(send(channel, Nbd.OPT_LIST_META_CONTEXT, Wire.metaContextData("gamma"))))
                .containsExactly(Nbd.REP_ERR_UNKNOWN);
        assertThat(types(send(channel, Nbd.OPT_SET_META_CONTEXT, Wire.metaContextData("gamma", Nbd.BASE_ALLOCATION))))
                .containsExactly(Nbd.REP_ERR_UNKNOWN);
        send(channel, Nbd.OPT_GO, Wire.infoData(""));

        assertThat(negotiated.get()).isEqualTo(new Negotiation(true, true));
    }

    @Test
    void theOldstyleHelloServesTheDefaultExport() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ServerHandshake.NAME, new ServerHandshake(EXPORTS, HandshakeStyle.OLDSTYLE,
                (pipeline, negotiation, export) -> picked.set(export), HandoverTokens.NONE));
        channel.pipeline().fireChannelActive();

        ByteBuf hello = Wire.drainOutbound(channel);
        assertThat(hello.skipBytes(16).readLong()).isEqualTo(DEFAULT.size());
        hello.release();
        assertThat(picked.get()).isEqualTo(DEFAULT);
    }

    static LongStream seeds() {
        return LongStream.range(1, 31);
    }

    /**
     * Random sequences of LIST, INFO, GO, STRUCTURED_REPLY and metadata-context options naming
     * known and unknown exports, against a model: an unknown name is ERR_UNKNOWN and changes
     * nothing, a known one answers and ends in ACK, and the final GO picks its export with the
     * selection made for that export only.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSequencesOverSeveralExportsMatchTheModel(long seed) {
        Random random = new Random(seed);
        String[] names = {"", "alpha", "beta", "gamma", "ALPHA", "alpha "};
        EmbeddedChannel channel = negotiating();
        boolean structured = false;
        boolean base = false;
        String selectedFor = "";
        for (int i = 0, count = 1 + random.nextInt(15); i < count; i++) {
            String name = names[random.nextInt(names.length)];
            boolean known = EXPORTS.find(name).isPresent();
            int code = switch (random.nextInt(6)) {
                case 0 -> Nbd.OPT_LIST;
                case 1 -> Nbd.OPT_INFO;
                case 2 -> Nbd.OPT_STRUCTURED_REPLY;
                case 3 -> Nbd.OPT_LIST_META_CONTEXT;
                case 4 -> Nbd.OPT_SET_META_CONTEXT;
                default -> known ? Nbd.OPT_INFO : Nbd.OPT_GO;
            };
            boolean selects = random.nextBoolean();
            byte[] data = switch (code) {
                case Nbd.OPT_LIST, Nbd.OPT_STRUCTURED_REPLY -> new byte[0];
                case Nbd.OPT_INFO, Nbd.OPT_GO -> Wire.infoData(name, Nbd.INFO_NAME);
                default -> selects ? Wire.metaContextData(name, Nbd.BASE_ALLOCATION) : Wire.metaContextData(name, "x-y:z");
            };
            List<Integer> answer = types(send(channel, code, data));
            int last = answer.get(answer.size() - 1);
            String what = "seed " + seed + " option " + code + " name '" + name + "'";
            switch (code) {
                case Nbd.OPT_LIST -> assertThat(answer).as(what).hasSize(4).endsWith(Nbd.REP_ACK);
                case Nbd.OPT_STRUCTURED_REPLY -> {
                    assertThat(last).as(what).isEqualTo(structured ? Nbd.REP_ERR_INVALID : Nbd.REP_ACK);
                    structured = true;
                }
                case Nbd.OPT_INFO, Nbd.OPT_GO -> assertThat(last).as(what)
                        .isEqualTo(known ? Nbd.REP_ACK : Nbd.REP_ERR_UNKNOWN);
                default -> {
                    int expected = !structured ? Nbd.REP_ERR_INVALID : known ? Nbd.REP_ACK : Nbd.REP_ERR_UNKNOWN;
                    assertThat(last).as(what).isEqualTo(expected);
                    if (code == Nbd.OPT_SET_META_CONTEXT && expected == Nbd.REP_ACK) {
                        base = selects;
                        selectedFor = EXPORTS.find(name).orElseThrow().name();
                    }
                }
            }
            assertThat(channel.isOpen()).as(what).isTrue();
            assertThat(picked.get()).as(what).isNull();
        }
        String go = names[random.nextInt(3)];
        send(channel, Nbd.OPT_GO, Wire.infoData(go));
        assertThat(picked.get().name()).as("seed %d", seed).isEqualTo(go);
        assertThat(negotiated.get()).as("seed %d", seed).isEqualTo(new Negotiation(structured, base && selectedFor.equals(go)));
        assertThat(channel.finish()).isFalse();
    }

    // ---- helpers ------------------------------------------------------------------------

    private EmbeddedChannel negotiating() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ServerHandshake.NAME, new ServerHandshake(EXPORTS, HandshakeStyle.NEWSTYLE,
                (pipeline, negotiation, export) -> {
                    negotiated.set(negotiation);
                    picked.set(export);
                }, HandoverTokens.NONE));
        channel.pipeline().fireChannelActive();
        Wire.drainOutbound(channel).release();
        channel.writeInbound(Unpooled.buffer().writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES));
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

    /** An NBD_REP_SERVER entry: the name, then the details filling the rest. */
    private static List<String> serverEntry(OptionReplyFrame reply) {
        ByteBuf data = reply.buf();
        String name = data.readCharSequence(data.readInt(), StandardCharsets.UTF_8).toString();
        return List.of(name, data.toString(StandardCharsets.UTF_8));
    }

    private static String infoString(OptionReplyFrame reply, int expectedType) {
        ByteBuf data = reply.buf();
        assertThat(data.readUnsignedShort()).isEqualTo(expectedType);
        return data.toString(StandardCharsets.UTF_8);
    }
}
