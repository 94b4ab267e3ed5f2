package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.CMD_DISC;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.flexnbd.protocol.PartialRequest;
import net.flexnbd.protocol.ServerReply;
import net.flexnbd.protocol.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --killswitch}: disconnects a client that holds the server up for longer than the
 * limit, at any of three points: a request that has begun to arrive and does not arrive
 * whole, a request that is not answered (waiting at the gate or running), and a reply the
 * client does not take. Each such client would otherwise keep its request in the gate and
 * stall a migration's final pass. Sits between the codec and the dispatcher; it sees every
 * request on its way in and every reply on its way out, matched by cookie.
 */
final class Killswitch extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(Killswitch.class);

    private final Duration limit;
    /** Unanswered requests by cookie (a client may reuse one: oldest first). Event loop only. */
    private final Map<Long, ArrayDeque<ScheduledFuture<?>>> unanswered = new HashMap<>();
    /** Replies written since the last flush, watched from the flush until they have left. */
    private final List<SentReply> unflushed = new ArrayList<>();
    private ScheduledFuture<?> partialWatchdog;
    private boolean disconnectReceived;

    Killswitch(Duration limit) {
        this.limit = limit;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Request request) {
            cancel(partialWatchdog);
            partialWatchdog = null;
            if (request.type() == CMD_DISC) {
                disconnectReceived = true; // nothing after it is answered, so nothing after it is watched
            } else if (!disconnectReceived) {
                watch(ctx, request);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void watch(ChannelHandlerContext ctx, Request request) {
        int type = request.type();
        long offset = request.offset();
        ScheduledFuture<?> watchdog = schedule(ctx, () -> log.warn(
                "killswitch: {} at offset {} took longer than {}s; disconnecting {}",
                RequestExecutor.commandName(type), offset, limit.toSeconds(), ctx.channel().remoteAddress()));
        unanswered.computeIfAbsent(request.cookie(), cookie -> new ArrayDeque<>(1)).add(watchdog);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != PartialRequest.INSTANCE) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (partialWatchdog == null) {
            partialWatchdog = schedule(ctx, () -> log.warn(
                    "killswitch: a request from {} did not arrive whole within {}s; disconnecting it",
                    ctx.channel().remoteAddress(), limit.toSeconds()));
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ServerReply reply) {
            answered(reply.cookie());
            if (!promise.isVoid()) {
                unflushed.add(new SentReply(reply.cookie(), promise));
            }
        }
        ctx.write(msg, promise);
    }

    private void answered(long cookie) {
        ArrayDeque<ScheduledFuture<?>> watchdogs = unanswered.get(cookie);
        if (watchdogs != null) {
            cancel(watchdogs.poll());
            if (watchdogs.isEmpty()) {
                unanswered.remove(cookie);
            }
        }
    }

    /** A reply still unsent after its flush is waiting for the client to read. */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        for (SentReply sent : unflushed) {
            if (!sent.promise().isDone()) {
                ScheduledFuture<?> watchdog = schedule(ctx, () -> log.warn(
                        "killswitch: the reply to request {} was not taken within {}s; disconnecting {}",
                        Long.toUnsignedString(sent.cookie()), limit.toSeconds(), ctx.channel().remoteAddress()));
                sent.promise().addListener((ChannelFutureListener) future -> watchdog.cancel(false));
            }
        }
        unflushed.clear();
    }

    private record SentReply(long cookie, ChannelPromise promise) {}

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel(partialWatchdog);
        unanswered.values().forEach(watchdogs -> watchdogs.forEach(Killswitch::cancel));
        unanswered.clear();
        ctx.fireChannelInactive();
    }

    /** Logs why, then closes the connection, unless cancelled within the limit. */
    private ScheduledFuture<?> schedule(ChannelHandlerContext ctx, Runnable why) {
        return ctx.executor().schedule(() -> {
            why.run();
            ctx.close();
        }, limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void cancel(ScheduledFuture<?> watchdog) {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
    }
}
