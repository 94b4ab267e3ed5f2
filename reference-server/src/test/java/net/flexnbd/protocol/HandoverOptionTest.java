package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * flexnbd's private handover option in the server's handshake: answered with what the server
 * holds for the token, or NBD_REP_ERR_UNSUP by a server that knows no tokens, and never in
 * the way of the negotiation that follows.
 */
class HandoverOptionTest {
    private static final ExportDescription EXPORT = new ExportDescription("", 1L << 20, Nbd.TFLAG_HAS_FLAGS);
    private static final long TOKEN = 0x1234_5678_9abc_def0L;

    private record OptionReply(int option, int type, byte[] data) {}

    @Test
    void aServerThatKnowsNoTokensAnswersUnsupportedAndNegotiationGoesOn() {
        EmbeddedChannel channel = negotiating(HandoverTokens.NONE);

        channel.writeInbound(Wire.option(Nbd.OPT_FLEXNBD_HANDOVER, token(TOKEN)));
        List<OptionReply> replies = replies(channel);
        assertThat(replies).singleElement().satisfies(reply -> {
            assertThat(reply.option()).isEqualTo(Nbd.OPT_FLEXNBD_HANDOVER);
            assertThat(reply.type()).isEqualTo(Nbd.REP_ERR_UNSUP);
        });

        channel.writeInbound(Wire.option(Nbd.OPT_GO, Wire.infoData("")));
        assertThat(replies(channel)).extracting(OptionReply::type).endsWith(Nbd.REP_ACK);
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNull();
    }

    @Test
    void aTokenAwareServerAnswersWhatItHoldsForTheToken() {
        AtomicLong asked = new AtomicLong();
        EmbeddedChannel channel = negotiating(token -> {
            asked.set(token);
            return Optional.of(HandoverState.HOLDING);
        });

        channel.writeInbound(Wire.option(Nbd.OPT_FLEXNBD_HANDOVER, token(TOKEN)));

        assertThat(asked.get()).isEqualTo(TOKEN);
        assertThat(replies(channel)).singleElement().satisfies(reply -> {
            assertThat(reply.type()).isEqualTo(Nbd.REP_FLEXNBD_HANDOVER);
            assertThat(reply.type()).as("not an error reply").isPositive();
            assertThat(reply.data()).containsExactly((byte) HandoverState.HOLDING.wireValue());
        });
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aMalformedTokenIsInvalidAndTheServerIsNotAsked() {
        AtomicLong asked = new AtomicLong();
        EmbeddedChannel channel = negotiating(token -> {
            asked.incrementAndGet();
            return Optional.of(HandoverState.FRESH);
        });

        channel.writeInbound(Wire.option(Nbd.OPT_FLEXNBD_HANDOVER, new byte[4]));
        channel.writeInbound(Wire.option(Nbd.OPT_FLEXNBD_HANDOVER, token(0)));

        assertThat(replies(channel)).extracting(OptionReply::type)
                .containsExactly(Nbd.REP_ERR_INVALID, Nbd.REP_ERR_INVALID);
        assertThat(asked.get()).isZero();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void everyStateHasItsOwnWireValue() {
        for (HandoverState state : HandoverState.values()) {
            assertThat(HandoverState.fromWire(state.wireValue())).contains(state);
        }
        assertThat(HandoverState.fromWire(99)).isEmpty();
    }

    private static EmbeddedChannel negotiating(HandoverTokens tokens) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ServerHandshake.NAME,
                new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE, pipeline -> { }, tokens));
        channel.pipeline().fireChannelActive();
        Wire.drainOutbound(channel).release();
        channel.writeInbound(Unpooled.buffer().writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES));
        return channel;
    }

    private static byte[] token(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private static List<OptionReply> replies(EmbeddedChannel channel) {
        ByteBuf all = Wire.drainOutbound(channel);
        List<OptionReply> replies = new ArrayList<>();
        while (all.isReadable()) {
            assertThat(all.readLong()).isEqualTo(Nbd.OPTION_REPLY_MAGIC);
            int option = all.readInt();
            int type = all.readInt();
            byte[] data = new byte[all.readInt()];
            all.readBytes(data);
            replies.add(new OptionReply(option, type, data));
        }
        all.release();
        return replies;
    }
}
