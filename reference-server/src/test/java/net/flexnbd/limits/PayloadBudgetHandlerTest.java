package net.flexnbd.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.ReplyEncoder;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.RequestDecoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two connections sharing a small budget, through the real decoder and encoder. */
class PayloadBudgetHandlerTest {
    private final PayloadBudget budget = new PayloadBudget(8192);
    private final EmbeddedChannel first = connection();
    private final EmbeddedChannel second = connection();

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline()
                .addLast(ReadPause.NAME, new ReadPause())
                .addLast(RequestDecoder.NAME, new RequestDecoder())
                .addLast(new ReplyEncoder())
                .addLast(PayloadBudgetHandler.NAME, new PayloadBudgetHandler(budget));
        return channel;
    }

    @AfterEach
    void close() {
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }

    @Test
    void aPayloadHoldsItsBytesUntilItsReplyHasBeenSent() {
        first.writeInbound(Frames.write(1, 6000));
        Request request = first.readInbound();
        assertThat(budget.used()).isEqualTo(6000);

        request.payload().release();
        assertThat(budget.used()).as("still held: the reply has not gone").isEqualTo(6000);
        first.writeOutbound(Reply.ok(1));
        ((ByteBuf) first.readOutbound()).release();

        assertThat(budget.used()).isZero();
    }

    @Test
    void writesArrivingInOneReadEachGiveBackTheirBytesOnceAnswered() {
        // Several WRITEs in one socket read: each payload is counted against its own request,
        // none is lost (a lost one would hold its bytes for the connection's life).
        first.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(
                Frames.write(1, 2000), Frames.write(2, 2000), Frames.write(3, 2000)));
        for (int i = 0; i < 3; i++) {
            ((Request) first.readInbound()).release();
        }
        assertThat(budget.used()).isEqualTo(6000);

        for (long cookie = 1; cookie <= 3; cookie++) {
            first.writeOutbound(Reply.ok(cookie));
            ((ByteBuf) first.readOutbound()).release();
        }
        assertThat(budget.used()).isZero();
    }

    @Test
    void aPayloadThatDoesNotFitWaitsUnreadAndArrivesOnceMemoryIsFreed() {
        first.writeInbound(Frames.write(1, 6000));
        Request held = first.readInbound();

        second.writeInbound(Frames.write(2, 4096));

        assertThat((Object) second.readInbound()).as("held back for memory").isNull();
        assertThat(second.config().isAutoRead()).isFalse();
        assertThat(((RequestDecoder) second.pipeline().get(RequestDecoder.NAME)).awaitingMemory()).isTrue();

        held.payload().release();
        first.writeOutbound(Reply.ok(1));
        ((ByteBuf) first.readOutbound()).release();
        second.runPendingTasks();

        Request arrived = second.readInbound();
        assertThat(arrived.cookie()).isEqualTo(2);
        assertThat(arrived.payload().readableBytes()).isEqualTo(4096);
        assertThat(second.config().isAutoRead()).isTrue();
        assertThat(budget.used()).isEqualTo(4096);
        arrived.payload().release();
    }

    @Test
    void aClosedConnectionGivesBackWhatItHeldAndWhatItWaitedFor() {
        first.writeInbound(Frames.write(1, 6000));
        Request held = first.readInbound();
        second.writeInbound(Frames.write(2, 4096));
        assertThat(budget.waiting()).isEqualTo(1);

        second.close();
        assertThat(budget.waiting()).isZero();
        held.payload().release();
        first.close();

        assertThat(budget.used()).isZero();
    }

    @Test
    void aHalfSentPayloadHoldsItsWholeLengthUntilTheConnectionCloses() {
        first.writeInbound(Frames.header(Nbd.CMD_WRITE, 1, 0, 5000));

        assertThat(budget.used()).isEqualTo(5000);
        first.close();
        assertThat(budget.used()).isZero();
    }

    @Test
    void requestsWithoutPayloadTakeNothing() {
        first.writeInbound(Frames.header(Nbd.CMD_READ, 1, 0, 1 << 20), Frames.header(Nbd.CMD_WRITE, 2, 0, Nbd.MAX_PAYLOAD + 1L));

        assertThat(first.inboundMessages()).hasSize(2);
        assertThat(budget.used()).isZero();
        first.writeOutbound(Reply.error(1, Nbd.EINVAL));
        assertThat(budget.used()).isZero();
    }
}
