package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import net.flexnbd.limits.ReadPause;
import net.flexnbd.export.RequestGate;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.ServerReply;
import net.flexnbd.protocol.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection in transmission: checks each request, passes it through
 * the gate, runs it on the storage executor and answers on the event loop, possibly out of
 * order. DISC closes once every earlier request is answered.
 *
 * <p>How each request reaches the store is {@link StorageRequests}'s business. Replies are
 * written as they come and flushed once per burst: at the end of the socket read, or in a
 * task queued behind the replies that storage threads hand back together; the burst's
 * gathered writes go to their worker at the same moments.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter implements StorageRequests.Answers {
    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final RequestValidator validator;
    private final RequestGate gate;
    private final StorageRequests requests;
    /** The client negotiated structured replies: READ and BLOCK_STATUS are answered in chunks. */
    private final boolean structured;

    private ChannelHandlerContext ctx;
    /** Requests received and not yet answered; event loop only. */
    private int pending;
    private boolean disconnectRequested;
    private ReadBackpressure reads;
    private ReplyBursts bursts;

    /** For a client that gets simple replies only. */
    RequestDispatcher(RequestValidator validator, RequestExecutor executor, RequestGate gate, StorageExecutor storage) {
        this(validator, executor, gate, storage, false);
    }

    RequestDispatcher(RequestValidator validator, RequestExecutor executor, RequestGate gate, StorageExecutor storage,
            boolean structured) {
        this.validator = validator;
        this.gate = gate;
        this.requests = new StorageRequests(executor, storage, structured);
        this.structured = structured;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.bursts = new ReplyBursts(ctx, this::sendGatheredWrites);
        this.reads = new ReadBackpressure(ctx.channel(), requests::readBytesInFlight, this::runNow);
        requests.attach(ctx, this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Request request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (disconnectRequested) {
            // Nothing may follow DISC; drop it quietly.
            request.release();
            return;
        }
        int errno = validator.check(request);
        if (errno != 0) {
            request.release();
            log.debug("refusing {} offset={} length={} flags={}: errno {}",
                    RequestExecutor.commandName(request.type()), request.offset(),
                    request.length(), request.flags(), errno);
            pending++;
            reply(ErrorReplies.of(request, errno, structured), false);
            return;
        }
        if (request.type() == CMD_DISC) {
            disconnectRequested = true;
            closeIfIdle();
        } else {
            admit(request);
        }
    }

    private void admit(Request request) {
        pending++;
        gate.submit(new RequestGate.Ticket() {
            @Override
            public void admitted() {
                onEventLoop(() -> dispatch(request));
            }

            /**
             * Never run, so never answered: the connection closes, and a client that reconnects
             * sends it again (to the new server after a handover). ESHUTDOWN would tell it to give up.
             */
            @Override
            public void refused() {
                request.release();
                onEventLoop(() -> ctx.close());
            }
        });
    }

    private void dispatch(Request request) {
        if (request.type() == CMD_READ) {
            reads.offer(request);
        } else {
            runNow(request);
        }
    }

    private void runNow(Request request) {
        if (!ctx.channel().isActive()) {
            forget(request); // the connection is gone: the request leaves the gate unanswered
        } else if (requests.run(request)) {
            bursts.writesGathered();
        }
    }

    private void forget(Request request) {
        request.release();
        gate.finished();
        pending--;
    }

    /** The reply of a request run against the store, or EIO when it never ran (the executor is closed). */
    @Override
    public void answer(Request request, ServerReply reply, Throwable failure) {
        if (failure == null) {
            reply(reply, true);
        } else {
            if (request.refCnt() > 0) {
                request.release(); // never ran: the payload is still ours
            }
            log.warn("{} not run: {}", RequestExecutor.commandName(request.type()), failure.toString());
            reply(ErrorReplies.of(request, EIO, structured), true);
        }
        if (request.type() == CMD_READ) {
            reads.release();
        }
    }

    /** Writes a reply; an admitted request leaves the gate once the reply has left us. */
    private void reply(ServerReply reply, boolean admitted) {
        bursts.write(reply, future -> {
            if (admitted) {
                gate.finished();
            }
            pending--;
            closeIfIdle();
        });
    }

    private void sendGatheredWrites() {
        if (ctx.channel().isActive()) {
            requests.sendWrites();
        } else {
            requests.discardWrites().forEach(this::forget);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        bursts.end();
        ctx.fireChannelReadComplete();
    }

    private void closeIfIdle() {
        if (disconnectRequested && pending == 0) {
            ctx.close();
        }
    }

    private void onEventLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    /**
     * Backpressure: a client that does not take its replies stops being read, so it cannot
     * make the server buffer replies without limit.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ReadPause.set(ctx.channel(), ReadPause.Reason.REPLY_BACKLOG, !ctx.channel().isWritable());
        reads.release();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reads.release();
        bursts.end();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
