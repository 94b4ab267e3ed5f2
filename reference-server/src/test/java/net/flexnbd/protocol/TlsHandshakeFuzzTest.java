package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Coverage-guided fuzzing of the whole option haggling under {@code --tls require}, on both
 * sides of NBD_OPT_STARTTLS: TLS is modelled by a {@link TransparentTls} session, so the
 * fuzzer's bytes after the acknowledgement reach the handshake as if decrypted, and every
 * option (structured replies, meta contexts, INFO, GO, the handover option) is haggled inside
 * it. Whatever the client sends: in clear the server says nothing but its hello, refusals
 * (NBD_REP_ERR_TLS_REQD, or NBD_REP_ERR_TOO_BIG for an option too long to read, ...) and the
 * acknowledgements of NBD_OPT_ABORT and NBD_OPT_STARTTLS; transmission begins only inside TLS; what it
 * writes inside TLS is whole option replies, then at most one export-name answer and the EINVAL
 * reply to a bad request magic; it fails only by closing; it releases every buffer it was given.
 * Seeds in {@code TlsHandshakeFuzzTestInputs/}; {@code bin/fuzz TlsHandshakeFuzzTest} fuzzes.
 */
class TlsHandshakeFuzzTest {
    private static final ExportDescription EXPORT = new ExportDescription("fuzz", 1L << 20, Nbd.TFLAG_HAS_FLAGS);
    /** Hello: NBDMAGIC, IHAVEOPT, handshake flags. */
    private static final int HELLO_LENGTH = 8 + 8 + 2;

    @FuzzTest(maxDuration = "3m")
    void speaksInClearOnlyToRefuseUntilStartTls(byte[] input) {
        AtomicBoolean entered = new AtomicBoolean();
        AtomicReference<TransparentTls> session = new AtomicReference<>();
        AtomicBoolean insideWhenEntered = new AtomicBoolean();
        ServerTls require = new ServerTls(TlsMode.REQUIRE, alloc -> {
            TransparentTls tls = new TransparentTls();
            session.set(tls);
            return tls;
        });
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ServerHandshake.NAME, new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE, p -> {
            entered.set(true);
            insideWhenEntered.set(session.get() != null);
        }).withTls(require));
        channel.pipeline().fireChannelActive();
        List<ByteBuf> fed = new ArrayList<>();
        for (byte[] piece : FuzzInput.pieces(input)) {
            if (!channel.isOpen()) {
                break;
            }
            ByteBuf buf = Unpooled.wrappedBuffer(piece);
            fed.add(buf);
            try {
                channel.writeInbound(buf);
            } catch (ProtocolException e) {
                assertThat(channel.isOpen()).as("open after %s", e.getMessage()).isFalse();
            }
        }

        assertThat(!entered.get() || insideWhenEntered.get()).as("transmission began in clear").isTrue();
        assertClearRepliesOnlyRefuse(Wire.drainOutbound(channel));
        if (session.get() != null) {
            assertWellFormedInsideTls(session.get().insideTls, entered.get());
        }
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
        try {
            channel.finishAndReleaseAll();
        } catch (ProtocolException e) {
            assertThat(channel.isOpen()).isFalse();
        }
        assertThat(fed).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    /** The hello, then only refusals and the two acknowledgements a client in clear may get. */
    private static void assertClearRepliesOnlyRefuse(ByteBuf out) {
        assertThat(out.readableBytes()).as("the hello").isGreaterThanOrEqualTo(HELLO_LENGTH);
        assertThat(out.readLong()).isEqualTo(Nbd.INIT_PASSWD);
        assertThat(out.readLong()).isEqualTo(Nbd.IHAVEOPT);
        out.skipBytes(2);
        while (out.isReadable()) {
            assertThat(out.readableBytes()).as("a whole option reply header in clear").isGreaterThanOrEqualTo(20);
            assertThat(out.readLong()).as("option reply magic in clear").isEqualTo(Nbd.OPTION_REPLY_MAGIC);
            int option = out.readInt();
            int type = out.readInt();
            int length = out.readInt();
            assertThat(out.readableBytes()).as("a whole option reply in clear").isGreaterThanOrEqualTo(length);
            out.skipBytes(length);
            // Any refusal may go out in clear (an option too long to read gets NBD_REP_ERR_TOO_BIG
            // before its name is looked at); of the rest, only the two acknowledgements.
            boolean refusal = type < 0; // the error types have the top bit set
            boolean allowed = refusal || type == Nbd.REP_ACK && (option == Nbd.OPT_ABORT || option == Nbd.OPT_STARTTLS);
            assertThat(allowed).as("reply type 0x%08x to option %d in clear", type, option).isTrue();
        }
        out.release();
    }

    /** Whole option replies, then at most one export-name answer, then (in transmission) the EINVAL reply. */
    private static void assertWellFormedInsideTls(ByteBuf out, boolean enteredTransmission) {
        while (out.readableBytes() >= 8 && out.getLong(out.readerIndex()) == Nbd.OPTION_REPLY_MAGIC) {
            assertThat(out.readableBytes()).as("a whole option reply header").isGreaterThanOrEqualTo(20);
            out.skipBytes(16);
            int length = out.readInt();
            assertThat(length).isBetween(0, Nbd.MAX_OPTION_LENGTH);
            assertThat(out.readableBytes()).as("a whole option reply").isGreaterThanOrEqualTo(length);
            out.skipBytes(length);
        }
        if (out.readableBytes() >= 4 && out.getInt(out.readerIndex()) != Nbd.SIMPLE_REPLY_MAGIC) {
            assertThat(enteredTransmission).as("an export-name answer means transmission").isTrue();
            assertThat(out.readableBytes()).as("export-name answer").isGreaterThanOrEqualTo(10);
            out.skipBytes(out.readableBytes() >= 134 ? 134 : 10);
        }
        if (out.isReadable()) {
            assertThat(enteredTransmission).as("anything after the options means transmission").isTrue();
            assertThat(out.readableBytes()).as("the EINVAL reply to a bad request magic").isEqualTo(16);
            assertThat(out.readInt()).isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
            assertThat(out.readInt()).isEqualTo(Nbd.EINVAL);
        }
        out.release();
    }
}
