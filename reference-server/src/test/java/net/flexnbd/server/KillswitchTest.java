package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.flexnbd.protocol.PartialRequest;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import org.junit.jupiter.api.Test;

/** The killswitch's three watches, on a frozen clock. */
class KillswitchTest {
    private static final Duration LIMIT = Duration.ofSeconds(5);

    private final EmbeddedChannel channel = channel();

    private static EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new Killswitch(LIMIT));
        return channel;
    }

    private void passTime(Duration duration) {
        channel.advanceTimeBy(duration.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aRequestAnsweredWithinTheLimitKeepsTheClient() {
        channel.writeInbound(Request.of(0, CMD_READ, 7, 0, 512));
        passTime(LIMIT.minusSeconds(1));
        channel.writeAndFlush(Reply.ok(7));
        passTime(LIMIT.multipliedBy(2));

        assertThat(channel.isActive()).isTrue();
        assertThat(channel.<Request>readInbound()).as("the request goes on to the dispatcher").isNotNull();
    }

    @Test
    void aRequestLeftUnansweredPastTheLimitDisconnects() {
        channel.writeInbound(Request.of(0, CMD_FLUSH, 7, 0, 0));
        passTime(LIMIT.minusMillis(1));
        assertThat(channel.isActive()).isTrue();

        passTime(Duration.ofMillis(1));
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void repliesAreMatchedByCookieSoAnotherRequestsReplyDoesNotCount() {
        channel.writeInbound(Request.of(0, CMD_FLUSH, 1, 0, 0));
        channel.writeInbound(Request.of(0, CMD_FLUSH, 2, 0, 0));
        channel.writeAndFlush(Reply.ok(2));

        passTime(LIMIT);
        assertThat(channel.isActive()).as("request 1 is still unanswered").isFalse();
    }

    @Test
    void aCookieUsedTwiceIsWatchedTwice() {
        channel.writeInbound(Request.of(0, CMD_FLUSH, 1, 0, 0));
        channel.writeInbound(Request.of(0, CMD_FLUSH, 1, 0, 0));
        channel.writeAndFlush(Reply.ok(1));
        passTime(LIMIT);
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void aRequestThatStopsHalfwayDisconnectsUnlessItArrivesWhole() {
        channel.pipeline().fireUserEventTriggered(PartialRequest.INSTANCE);
        passTime(LIMIT.minusSeconds(1));
        channel.pipeline().fireUserEventTriggered(PartialRequest.INSTANCE); // more bytes, still partial: no new deadline
        channel.writeInbound(Request.of(0, CMD_DISC, 1, 0, 0));
        passTime(LIMIT.multipliedBy(2));
        assertThat(channel.isActive()).as("the request arrived whole in time").isTrue();

        EmbeddedChannel stuck = channel();
        stuck.pipeline().fireUserEventTriggered(PartialRequest.INSTANCE);
        stuck.advanceTimeBy(LIMIT.toMillis() - 1000, TimeUnit.MILLISECONDS);
        stuck.pipeline().fireUserEventTriggered(PartialRequest.INSTANCE);
        stuck.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        stuck.runScheduledPendingTasks();
        assertThat(stuck.isActive()).as("the deadline runs from the first partial read").isFalse();
    }

    @Test
    void aReplyTheClientDoesNotTakeDisconnects() {
        HeldWrites held = new HeldWrites();
        channel.pipeline().addFirst(held);
        channel.writeInbound(Request.of(0, CMD_READ, 3, 0, 512));
        channel.writeAndFlush(Reply.ok(3));
        passTime(LIMIT.minusMillis(1));
        assertThat(channel.isActive()).isTrue();
        passTime(Duration.ofMillis(1));
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void aReplyTakenInTimeKeepsTheClient() {
        HeldWrites held = new HeldWrites();
        channel.pipeline().addFirst(held);
        channel.writeInbound(Request.of(0, CMD_READ, 3, 0, 512));
        channel.writeAndFlush(Reply.ok(3));
        passTime(LIMIT.minusSeconds(1));
        held.release();
        passTime(LIMIT.multipliedBy(2));
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void requestsAfterDisconnectAreNotWatched() {
        channel.writeInbound(Request.of(0, CMD_DISC, 1, 0, 0));
        channel.writeInbound(Request.of(0, CMD_FLUSH, 2, 0, 0));
        passTime(LIMIT.multipliedBy(2));
        assertThat(channel.isActive()).isTrue();
    }

    /** Stands for a client that stops reading: writes reach it but never complete. */
    private static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        private ChannelPromise promise;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            this.promise = promise;
        }

        void release() {
            promise.setSuccess();
        }
    }
}
