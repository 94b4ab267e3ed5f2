package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
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
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final RequestValidator validator;
    private final RequestExecutor executor;
    private final RequestGate gate;
    private final StorageExecutor storage;
    /** The client negotiated structured replies: READ and BLOCK_STATUS are answered in chunks. */
    private final boolean structured;

    private ChannelHandlerContext ctx;
    /** Requests received and not yet answered; event loop only. */
    private int pending;
    private boolean disconnectRequested;
    /** Reads held back while the client is not taking its replies; event loop only. */
    private final ArrayDeque<Request> deferredReads = new ArrayDeque<>();
    /** Bytes of READs on the storage executor whose replies are not written yet; event loop only. */
    private long readBytesInFlight;

    /** For a client that gets simple replies only. */
    RequestDispatcher(RequestValidator validator, RequestExecutor executor, RequestGate gate, StorageExecutor storage) {
        this(validator, executor, gate, storage, false);
    }

    RequestDispatcher(RequestValidator validator, RequestExecutor executor, RequestGate gate, StorageExecutor storage,
            boolean structured) {
        this.validator = validator;
        this.executor = executor;
        this.gate = gate;
        this.storage = storage;
        this.structured = structured;
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

    /**
     * Backpressure: while the client leaves earlier replies untaken, further reads wait
     * here instead of filling memory with replies it does not take either. Reads still on
     * the storage executor count as replies already written.
     */
    private void dispatch(Request request) {
        if (request.type() == CMD_READ && (!deferredReads.isEmpty() || mustWait(request))) {
            deferredReads.add(request);
        } else {
            runNow(request);
        }
    }

    /** One read may always run; more only while their replies would fit below the high mark. */
    private boolean mustWait(Request read) {
        return !ctx.channel().isWritable()
                || (readBytesInFlight > 0 && readBytesInFlight + read.length() > ctx.channel().bytesBeforeUnwritable());
    }

    private void runNow(Request request) {
        if (!ctx.channel().isActive()) {
            // The connection is gone: the request leaves the gate unanswered.
            request.release();
            gate.finished();
            pending--;
            return;
        }
        long readBytes = request.type() == CMD_READ ? request.length() : 0;
        readBytesInFlight += readBytes;
        // A simple read's buffer comes from this event loop's allocator, not a storage thread's.
        ByteBuf readBuffer = readBytes > 0 && !structured ? ctx.alloc().directBuffer((int) readBytes, (int) readBytes) : null;
        Callable<ServerReply> call = readBuffer != null ? () -> executor.readInto(request, readBuffer)
                : () -> executor.execute(request, ctx.alloc(), structured);
        storage.submit(RequestExecutor.kindOf(request), call)
                .whenComplete((reply, failure) -> onEventLoop(() -> {
                    readBytesInFlight -= readBytes;
                    if (failure != null) {
                        // Never ran (the executor is closed): the payload and buffer are still ours.
                        if (request.refCnt() > 0) {
                            request.release();
                        }
                        if (readBuffer != null && readBuffer.refCnt() > 0) {
                            readBuffer.release();
                        }
                        log.warn("{} not run: {}", RequestExecutor.commandName(request.type()), failure.toString());
                        reply(ErrorReplies.of(request, EIO, structured), true);
                    } else {
                        reply(reply, true);
                    }
                    if (readBytes > 0) {
                        runDeferredReads();
                    }
                }));
    }

    /** Sends a reply; an admitted request leaves the gate once the reply has left us. */
    private void reply(ServerReply reply, boolean admitted) {
        ctx.writeAndFlush(reply).addListener((ChannelFutureListener) future -> {
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
        runDeferredReads();
        ctx.fireChannelWritabilityChanged();
    }

    private void runDeferredReads() {
        while (!deferredReads.isEmpty() && (!ctx.channel().isActive() || !mustWait(deferredReads.peek()))) {
            runNow(deferredReads.poll());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        runDeferredReads();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
