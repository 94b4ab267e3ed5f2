package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import net.flexnbd.testing.Gen;
import net.flexnbd.testing.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** NBD_OPT_STARTTLS and {@code --tls off|on|require} in the server's option haggling. */
class ServerHandshakeTlsTest {
    private static final ExportDescription EXPORT = new ExportDescription("disk", 1L << 20, Nbd.TFLAG_HAS_FLAGS);

    private final AtomicBoolean entered = new AtomicBoolean();

    private EmbeddedChannel connect(ServerTls tls) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ServerHandshake.NAME,
                new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE, p -> entered.set(true)).withTls(tls));
        channel.pipeline().fireChannelActive();
        Wire.drainOutbound(channel).release(); // the hello
        channel.writeInbound(Unpooled.buffer().writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES));
        return channel;
    }

    /** The option replies written so far: {option, reply type} pairs. */
    private static List<long[]> replies(EmbeddedChannel channel) {
        ByteBuf out = Wire.drainOutbound(channel);
        List<long[]> replies = new ArrayList<>();
        while (out.readableBytes() >= 20) {
            assertThat(out.readLong()).isEqualTo(Nbd.OPTION_REPLY_MAGIC);
            long option = out.readUnsignedInt();
            long type = out.readUnsignedInt();
            out.skipBytes(out.readInt());
            replies.add(new long[] {option, type});
        }
        assertThat(out.readableBytes()).as("only whole option replies").isZero();
        out.release();
        return replies;
    }

    private static ByteBuf go() {
        return Wire.option(Nbd.OPT_GO, Wire.infoData(""));
    }

    @Test
    void underRequireEveryOptionBeforeStartTlsIsRefusedWithTlsRequired() {
        EmbeddedChannel channel = connect(FakeTls.mode(TlsMode.REQUIRE));

        channel.writeInbound(Wire.option(Nbd.OPT_LIST, new byte[0]), Wire.option(Nbd.OPT_INFO, Wire.infoData("")), go(),
                Wire.option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]), Wire.option(99, new byte[] {1, 2}));

        assertThat(replies(channel)).extracting(r -> r[1]).containsOnly(Integer.toUnsignedLong(Nbd.REP_ERR_TLS_REQD)).hasSize(5);
        assertThat(entered).isFalse();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void underRequireExportNameBeforeStartTlsCloses() {
        EmbeddedChannel channel = connect(FakeTls.mode(TlsMode.REQUIRE));

        channel.writeInbound(Wire.option(Nbd.OPT_EXPORT_NAME, new byte[0]));

        assertThat(channel.isOpen()).isFalse();
        assertThat(entered).isFalse();
    }

    @Test
    void startTlsIsAcknowledgedInClearAndTheRestGoesThroughTls() {
        EmbeddedChannel channel = connect(FakeTls.mode(TlsMode.REQUIRE));

        channel.writeInbound(Wire.option(Nbd.OPT_STARTTLS, new byte[0]));

        assertThat(replies(channel)).extracting(r -> r[0] + ":" + r[1]).containsExactly(Nbd.OPT_STARTTLS + ":" + Nbd.REP_ACK);
        FakeTls tls = (FakeTls) channel.pipeline().first();
        assertThat(channel.pipeline().names().get(0)).isEqualTo(ServerTls.HANDLER_NAME);
        channel.writeInbound(go());
        assertThat(tls.receivedInsideTls).hasSize(1);
        assertThat(entered).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void bytesInClearRightAfterStartTlsCloseTheConnection() {
        EmbeddedChannel channel = connect(FakeTls.mode(TlsMode.ON));

        channel.writeInbound(Unpooled.wrappedBuffer(Wire.option(Nbd.OPT_STARTTLS, new byte[0]), go()));

        assertThat(channel.isOpen()).isFalse();
        assertThat(entered).as("an injected GO must not be obeyed").isFalse();
    }

    @Test
    void startTlsWithDataIsInvalidAndOffMeansUnsupported() {
        EmbeddedChannel on = connect(FakeTls.mode(TlsMode.ON));
        on.writeInbound(Wire.option(Nbd.OPT_STARTTLS, new byte[] {1}));
        assertThat(replies(on)).extracting(r -> r[1]).containsExactly(Integer.toUnsignedLong(Nbd.REP_ERR_INVALID));

        EmbeddedChannel off = connect(ServerTls.OFF);
        off.writeInbound(Wire.option(Nbd.OPT_STARTTLS, new byte[0]));
        assertThat(replies(off)).extracting(r -> r[1]).containsExactly(Integer.toUnsignedLong(Nbd.REP_ERR_UNSUP));
        off.writeInbound(go());
        assertThat(entered).as("off: clients in clear are served").isTrue();
    }

    @Test
    void onStillServesClientsInClear() {
        EmbeddedChannel channel = connect(FakeTls.mode(TlsMode.ON));

        channel.writeInbound(go());

        assertThat(entered).isTrue();
    }

    static LongStream seeds() {
        return Seeds.of("ServerHandshakeTlsTest", 300);
    }

    /**
     * Random option sequences, STARTTLS anywhere in them (or nowhere), fed in random pieces:
     * under require the handshake never reaches transmission in clear, and every option
     * answered in clear before STARTTLS got NBD_REP_ERR_TLS_REQD (ABORT aside).
     */
    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void underRequireNoSequenceOfOptionsReachesTransmissionInClear(long seed) {
        Gen gen = Gen.of(seed);
        EmbeddedChannel channel = connect(FakeTls.mode(TlsMode.REQUIRE));
        ByteBuf stream = Unpooled.buffer();
        for (int i = gen.between(1, 8); i > 0; i--) {
            int option = gen.pickInt(Nbd.OPT_GO, Nbd.OPT_INFO, Nbd.OPT_LIST, Nbd.OPT_EXPORT_NAME, Nbd.OPT_STARTTLS,
                    Nbd.OPT_STARTTLS, Nbd.OPT_STRUCTURED_REPLY, Nbd.OPT_SET_META_CONTEXT, Nbd.OPT_ABORT, gen.anyInt());
            byte[] data = option == Nbd.OPT_GO || option == Nbd.OPT_INFO ? Wire.infoData(gen.string(8))
                    : gen.weighted(3, 1) == 0 ? new byte[0] : gen.bytes(16);
            stream.writeBytes(Wire.option(option, data));
        }
        while (stream.isReadable() && channel.isOpen()) {
            channel.writeInbound(stream.readRetainedSlice(Math.min(stream.readableBytes(), gen.between(1, 40))));
        }
        stream.release();

        assertThat(entered).as("transmission in clear").isFalse();
        List<long[]> clear = replies(channel);
        for (int i = 0; i < clear.size(); i++) {
            long[] reply = clear.get(i);
            boolean last = i == clear.size() - 1;
            if (reply[0] == Nbd.OPT_STARTTLS && reply[1] == Nbd.REP_ACK) {
                assertThat(last).as("the STARTTLS ACK is the last thing said in clear").isTrue();
            } else if (reply[0] != Nbd.OPT_ABORT && !(reply[0] == Nbd.OPT_STARTTLS && reply[1] == Integer.toUnsignedLong(Nbd.REP_ERR_INVALID))) {
                assertThat(reply[1]).as("reply to option %d in clear", reply[0]).isEqualTo(Integer.toUnsignedLong(Nbd.REP_ERR_TLS_REQD));
            }
        }
        channel.finishAndReleaseAll();
    }
}
