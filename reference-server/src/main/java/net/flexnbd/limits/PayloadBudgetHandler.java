package net.flexnbd.limits;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.PayloadAllowance;
import net.flexnbd.protocol.ServerReply;
import net.flexnbd.protocol.Request;

/**
 * One connection's share of the {@link PayloadBudget}: the {@link PayloadAllowance} its
 * request decoder asks before gathering a WRITE payload. A payload's bytes are taken when
 * its header arrives and given back once its reply has been sent (or the connection has
 * closed); while a payload waits for them, the connection is not read
 * ({@link ReadPause.Reason#PAYLOAD_MEMORY}).
 *
 * <p>It must sit behind the request decoder and the reply encoder, so that it sees
 * {@link Request}s coming in and {@link ServerReply}s (simple or structured) going out. Event loop only, apart from the
 * budget's grant, which it moves onto the event loop.
 */
public final class PayloadBudgetHandler extends ChannelDuplexHandler implements PayloadAllowance {
    /** The name it has in the pipeline. */
    public static final String NAME = "payload-budget";

    private final PayloadBudget budget;
    private ChannelHandlerContext ctx;
    /** Bytes taken for the payload being received, if any. */
    private int receiving;
    private PayloadBudget.Waiter waiter;
    /** Bytes held by WRITEs received and not yet answered, by cookie (cookies may repeat). */
    private final Map<Long, ArrayDeque<Integer>> unanswered = new HashMap<>();
    private boolean closed;

    public PayloadBudgetHandler(PayloadBudget budget) {
        this.budget = budget;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(PayloadAllowance.KEY).set(this);
    }

    @Override
    public boolean reserve(long cookie, int bytes, Runnable whenGranted) {
        if (closed) {
            return false;
        }
        PayloadBudget.Waiter wait = new PayloadBudget.Waiter() {
            @Override
            public void granted() {
                ctx.executor().execute(() -> {
                    waiter = null;
                    if (closed) {
                        budget.release(bytes);
                        return;
                    }
                    receiving = bytes;
                    ReadPause.set(ctx.channel(), ReadPause.Reason.PAYLOAD_MEMORY, false);
                    whenGranted.run();
                });
            }
        };
        if (budget.reserve(bytes, wait)) {
            receiving = bytes;
            return true;
        }
        waiter = wait;
        ReadPause.set(ctx.channel(), ReadPause.Reason.PAYLOAD_MEMORY, true);
        return false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Request request && request.type() == Nbd.CMD_WRITE && receiving > 0
                && request.payload().readableBytes() == receiving) {
            unanswered.computeIfAbsent(request.cookie(), c -> new ArrayDeque<>(1)).add(receiving);
            receiving = 0;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ServerReply reply) {
            ArrayDeque<Integer> held = unanswered.get(reply.cookie());
            if (held != null) {
                int bytes = held.poll();
                if (held.isEmpty()) {
                    unanswered.remove(reply.cookie());
                }
                ctx.write(msg, promise.unvoid()).addListener((ChannelFutureListener) f -> budget.release(bytes));
                return;
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (waiter != null && budget.cancel(waiter)) {
            waiter = null;
        }
        long held = receiving;
        receiving = 0;
        for (ArrayDeque<Integer> bytes : unanswered.values()) {
            for (int b : bytes) {
                held += b;
            }
        }
        unanswered.clear();
        if (held > 0) {
            budget.release(held);
        }
        ctx.fireChannelInactive();
    }
}
