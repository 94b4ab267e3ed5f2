package net.flexnbd.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.RequestDecoder;
import org.junit.jupiter.api.Test;

class ReceiveDeadlineTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private static EmbeddedChannel channel(PayloadBudget budget) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(ReadPause.NAME, new ReadPause()).addLast(RequestDecoder.NAME, new RequestDecoder());
        if (budget != null) {
            channel.pipeline().addLast(new PayloadBudgetHandler(budget));
        }
        channel.pipeline().addLast(ReceiveDeadline.NAME, new ReceiveDeadline(LIMIT));
        return channel;
    }

    private static void advance(EmbeddedChannel channel, Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aHalfSentHeaderClosesTheConnectionAtTheDeadline() {
        EmbeddedChannel channel = channel(null);
        ByteBuf header = Frames.header(Nbd.CMD_READ, 1, 0, 512);
        channel.writeInbound(header.readRetainedSlice(10));
        header.release();

        advance(channel, LIMIT.minusSeconds(1));
        assertThat(channel.isOpen()).isTrue();
        advance(channel, Duration.ofSeconds(2));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aHalfSentPayloadClosesTheConnectionAtTheDeadline() {
        EmbeddedChannel channel = channel(null);
        channel.writeInbound(Frames.header(Nbd.CMD_WRITE, 1, 0, 4096));

        advance(channel, LIMIT.plusSeconds(1));

        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anIdleConnectionBetweenRequestsStaysOpen() {
        EmbeddedChannel channel = channel(null);
        channel.writeInbound(Frames.write(1, 100), Frames.header(Nbd.CMD_READ, 2, 0, 512));
        releaseAll(channel);

        advance(channel, LIMIT.multipliedBy(5));

        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestCompletedInTimeDisarmsTheDeadline() {
        EmbeddedChannel channel = channel(null);
        ByteBuf write = Frames.write(1, 1000);
        channel.writeInbound(write.readRetainedSlice(500));
        advance(channel, LIMIT.minusSeconds(10));
        channel.writeInbound(write.readRetainedSlice(write.readableBytes()));
        write.release();
        releaseAll(channel);

        advance(channel, Duration.ofSeconds(20));

        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void aPayloadWaitingForTheServersMemoryIsNotTheClientsFault() {
        PayloadBudget budget = new PayloadBudget(4096);
        budget.reserve(4096, () -> { });
        EmbeddedChannel channel = channel(budget);
        channel.writeInbound(Frames.write(1, 1000));

        advance(channel, LIMIT.multipliedBy(3));

        assertThat(channel.isOpen()).isTrue();
        budget.release(4096);
        channel.runPendingTasks();
        assertThat(channel.<Request>readInbound().payload().release()).isTrue();
        channel.finishAndReleaseAll();
    }

    private static void releaseAll(EmbeddedChannel channel) {
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ((Request) msg).payload().release();
        }
    }
}
