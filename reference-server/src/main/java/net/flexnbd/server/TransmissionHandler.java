package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import net.flexnbd.limits.ReadPause;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.RequestDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's transmission phase: checks each request, passes it through the gate,
 * runs it (on the event loop when it cannot block, on the disk executor otherwise) and
 * answers, possibly out of order. DISC closes once every earlier request is answered.
 * On a migration link it also carries the ENTRUST / DISCONNECT handover.
 */
final class TransmissionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TransmissionHandler.class);

    private final RequestValidator validator;
    private final RequestExecutor executor;
    private final RequestGate gate;
    private final Executor diskExecutor;
    private final Optional<Duration> killswitch;
    private final HandoverListener handover;

    private ChannelHandlerContext ctx;
    /** Requests received and not yet answered; touched on the event loop only. */
    private int pending;
    private boolean disconnectRequested;
    private boolean entrusted;
    private boolean handedOver;
    /** With the killswitch, armed while a request has partly arrived; touched on the event loop only. */
    private ScheduledFuture<?> partialWatchdog;
    /** Reads held back while the client is not taking its replies; event loop only. */
    private final ArrayDeque<DeferredRead> deferredReads = new ArrayDeque<>();

    TransmissionHandler(RequestValidator validator, RequestExecutor executor, RequestGate gate,
            Executor diskExecutor, Optional<Duration> killswitch, HandoverListener handover) {
        this.validator = validator;
        this.executor = executor;
        this.gate = gate;
        this.diskExecutor = diskExecutor;
        this.killswitch = killswitch;
        this.handover = handover;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Request request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        cancel(partialWatchdog);
        partialWatchdog = null;
        if (disconnectRequested) {
            // Nothing may follow DISC; drop it quietly.
            request.payload().release();
            return;
        }
        if (entrusted && request.type() != CMD_DISC) {
            request.payload().release();
            log.warn("{} after ENTRUST on the migration link; dropping the link",
                    RequestExecutor.commandName(request.type()));
            ctx.close();
            return;
        }
        int errno = validator.check(request);
        if (errno != 0) {
            request.payload().release();
            log.debug("refusing {} offset={} length={} flags={}: errno {}",
                    RequestExecutor.commandName(request.type()), request.offset(),
                    request.length(), request.flags(), errno);
            pending++;
            reply(Reply.error(request.cookie(), errno), false);
            return;
        }
        switch (request.type()) {
            case CMD_DISC -> disconnect();
            case CMD_ENTRUST -> entrust(request);
            default -> admit(request);
        }
    }

    private void disconnect() {
        disconnectRequested = true;
        if (entrusted && handover != null) {
            handedOver = true;
            handover.disconnectedAfterEntrust();
        }
        closeIfIdle();
    }

    /** The data must be durable here before the sender may let go of it. */
    private void entrust(Request request) {
        entrusted = true;
        pending++;
        diskExecutor.execute(() -> {
            Reply answer;
            try {
                handover.entrusted();
                answer = Reply.ok(request.cookie());
            } catch (IOException | RuntimeException e) {
                log.error("cannot accept ENTRUST: {}", e.toString());
                answer = Reply.error(request.cookie(), EIO);
            }
            Reply reply = answer;
            onEventLoop(() -> reply(reply, false));
        });
    }

    private void admit(Request request) {
        pending++;
        ScheduledFuture<?> watchdog = killswitch
                .map(limit -> ctx.executor().schedule(() -> killStuck(request, limit),
                        limit.toNanos(), TimeUnit.NANOSECONDS))
                .orElse(null);
        gate.submit(new RequestGate.Ticket() {
            @Override
            public void admitted() {
                run(request, watchdog);
            }

            @Override
            public void refused() {
                request.payload().release();
                onEventLoop(() -> {
                    cancel(watchdog);
                    reply(Reply.error(request.cookie(), ESHUTDOWN), false);
                });
            }
        });
    }

    private void run(Request request, ScheduledFuture<?> watchdog) {
        if (RequestExecutor.mayBlock(request)) {
            diskExecutor.execute(() -> complete(executor.execute(request, ctx.alloc()), watchdog));
        } else {
            onEventLoop(() -> runOnEventLoop(request, watchdog));
        }
    }

    /**
     * Backpressure: while the client leaves earlier replies untaken, further reads wait
     * here instead of filling memory with replies it does not take either.
     */
    private void runOnEventLoop(Request request, ScheduledFuture<?> watchdog) {
        if (request.type() == CMD_READ && (!ctx.channel().isWritable() || !deferredReads.isEmpty())) {
            deferredReads.add(new DeferredRead(request, watchdog));
        } else {
            runNow(request, watchdog);
        }
    }

    private void runNow(Request request, ScheduledFuture<?> watchdog) {
        if (ctx.channel().isActive()) {
            complete(executor.execute(request, ctx.alloc()), watchdog);
        } else {
            abandon(request, watchdog);
        }
    }

    private record DeferredRead(Request request, ScheduledFuture<?> watchdog) {}

    /** The connection is gone: the request leaves the gate unanswered. */
    private void abandon(Request request, ScheduledFuture<?> watchdog) {
        request.payload().release();
        cancel(watchdog);
        gate.finished();
        pending--;
    }

    private void complete(Reply reply, ScheduledFuture<?> watchdog) {
        cancel(watchdog);
        if (handover != null && reply.error() == EIO) {
            handover.localFailure("a write from the migration sender failed locally");
        }
        onEventLoop(() -> reply(reply, true));
    }

    /**
     * Sends a reply; an admitted request leaves the gate once the reply has left us. With the
     * killswitch, a reply the client does not take within the limit disconnects it: a client
     * that stops reading would otherwise hold its request in the gate, and stall a migration.
     */
    private void reply(Reply reply, boolean admitted) {
        long cookie = reply.cookie();
        ChannelFuture sent = ctx.writeAndFlush(reply);
        ScheduledFuture<?> watchdog = sent.isDone() ? null : killswitch
                .map(limit -> ctx.executor().schedule(() -> killUnread(cookie, limit),
                        limit.toNanos(), TimeUnit.NANOSECONDS))
                .orElse(null);
        sent.addListener((ChannelFutureListener) future -> {
            cancel(watchdog);
            if (admitted) {
                gate.finished();
            }
            pending--;
            closeIfIdle();
        });
    }

    private void closeIfIdle() {
        if (disconnectRequested && pending == 0) {
            ctx.close();
        }
    }

    private void killStuck(Request request, Duration limit) {
        log.warn("killswitch: {} at offset {} took longer than {}s; disconnecting {}",
                RequestExecutor.commandName(request.type()), request.offset(),
                limit.toSeconds(), ctx.channel().remoteAddress());
        ctx.close();
    }

    private void killUnread(long cookie, Duration limit) {
        log.warn("killswitch: the reply to request {} was not taken within {}s; disconnecting {}",
                Long.toUnsignedString(cookie), limit.toSeconds(), ctx.channel().remoteAddress());
        ctx.close();
    }

    private void onEventLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    private static void cancel(ScheduledFuture<?> watchdog) {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
    }

    /** With the killswitch, a request that has begun to arrive must arrive whole within the limit. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (killswitch.isPresent() && partialWatchdog == null
                && ctx.pipeline().get(RequestDecoder.NAME) instanceof RequestDecoder decoder
                && decoder.holdsPartialRequest()) {
            Duration limit = killswitch.get();
            partialWatchdog = ctx.executor().schedule(() -> {
                log.warn("killswitch: a request from {} did not arrive whole within {}s; disconnecting it",
                        ctx.channel().remoteAddress(), limit.toSeconds());
                ctx.close();
            }, limit.toNanos(), TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * Backpressure: a client that does not take its replies stops being read, so it cannot
     * make the server buffer replies without limit.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ReadPause.set(ctx.channel(), ReadPause.Reason.REPLY_BACKLOG, !ctx.channel().isWritable());
        runDeferredReads();
        ctx.fireChannelWritabilityChanged();
    }

    private void runDeferredReads() {
        while (!deferredReads.isEmpty() && (ctx.channel().isWritable() || !ctx.channel().isActive())) {
            DeferredRead next = deferredReads.poll();
            runNow(next.request(), next.watchdog());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel(partialWatchdog);
        runDeferredReads();
        if (handover != null && !handedOver) {
            handover.abandoned(entrusted ? "link lost after ENTRUST, before DISCONNECT"
                    : "link lost before the handover");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
