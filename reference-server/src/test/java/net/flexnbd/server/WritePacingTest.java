package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.flexnbd.export.WritePacer;
import net.flexnbd.protocol.Request;
import org.junit.jupiter.api.Test;

/** Client writes held back by the pacer, in order, on the event loop's timer. */
class WritePacingTest {
    private final AtomicLong now = new AtomicLong();
    private final WritePacer pacer = new WritePacer(now::get);
    private final EmbeddedChannel channel = new EmbeddedChannel(new WritePacing(pacer));

    private static Request write(long cookie, int length) {
        return new Request(0, CMD_WRITE, cookie, 0, length, Unpooled.wrappedBuffer(new byte[length]));
    }

    /** Moves the pacer's clock and the channel's timer on together. */
    private void advanceMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    private long nextCookie() {
        Request request = channel.readInbound();
        if (request == null) {
            return -1;
        }
        request.release();
        return request.cookie();
    }

    @Test
    void withoutALimitEveryRequestPassesAtOnce() {
        channel.writeInbound(write(1, 1 << 20), Request.of(0, CMD_READ, 2, 0, 4096), write(3, 1 << 20));

        assertThat(new long[] {nextCookie(), nextCookie(), nextCookie(), nextCookie()}).containsExactly(1, 2, 3, -1);
    }

    @Test
    void underALimitAWriteWaitsItsTurnAndWhatFollowsWaitsBehindIt() {
        channel.freezeTime();
        pacer.limit(1_000_000); // a tenth of a second's worth passes at once: 100 000 bytes
        channel.writeInbound(write(1, 100_000), write(2, 10_000), Request.of(0, CMD_READ, 3, 0, 4096),
                Request.of(0, CMD_DISC, 4, 0, 0));

        assertThat(nextCookie()).isEqualTo(1);
        assertThat(nextCookie()).as("the second write waits 10 ms for its bytes").isEqualTo(-1);
        advanceMillis(9);
        assertThat(nextCookie()).isEqualTo(-1);
        advanceMillis(1);
        assertThat(new long[] {nextCookie(), nextCookie(), nextCookie(), nextCookie()}).containsExactly(2, 3, 4, -1);
    }

    @Test
    void requestsStillWaitingWhenTheConnectionCloses() {
        channel.freezeTime();
        pacer.limit(1_000);
        Request first = write(1, 100);
        Request held = write(2, 5000);
        channel.writeInbound(first, held);
        assertThat(nextCookie()).isEqualTo(1);

        channel.close();

        assertThat(held.refCnt()).as("released, never to be answered").isZero();
        advanceMillis(10_000);
        assertThat(nextCookie()).isEqualTo(-1);
    }
}
