package net.flexnbd.proxy;

import static net.flexnbd.protocol.Nbd.CMD_DISC;
import static net.flexnbd.protocol.Nbd.CMD_READ;
import static net.flexnbd.protocol.Nbd.CMD_WRITE;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import net.flexnbd.protocol.ChunkFrame;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's transmission phase at the proxy: every request goes into its
 * {@link PendingRequests} and out through its {@link UpstreamLink}; every answer comes back
 * with the client's own cookie: a simple reply, or a structured reply's chunks, all at once,
 * for a client that negotiated structured replies (its upstream links ask for what it
 * negotiated, no more). Nothing is answered that the upstream did not answer, except
 * a READ or WRITE over the payload limit (EINVAL, as the server would) and, with a maximum
 * wait, EIO for a request that waited that long for a missing upstream. A client with too
 * much waiting stops being read; DISC closes once every earlier request is answered.
 */
final class ClientSession extends ChannelInboundHandlerAdapter implements SessionEvents {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** Past this many WRITE bytes held for one client, it stops being read. */
    static final long MAX_HELD_BYTES = 64L << 20;

    private final ProxySettings settings;
    private final UpstreamConnector connector;
    private final UpstreamDisk disk;
    /** What the client negotiated in its handshake with the proxy. */
    private final Negotiation negotiation;
    private final ProxyCounters counters;
    private final PendingRequests ledger = new PendingRequests();

    private ChannelHandlerContext ctx;
    private UpstreamLink link;
    private boolean disconnecting;
    /** For status, read from other threads. */
    private volatile int inFlight;
    private volatile boolean upstreamUp;

    ClientSession(ProxySettings settings, UpstreamConnector connector, UpstreamDisk disk, Negotiation negotiation,
            ProxyCounters counters) {
        this.settings = settings;
        this.connector = connector;
        this.disk = disk;
        this.negotiation = negotiation;
        this.counters = counters;
    }

    int inFlight() {
        return inFlight;
    }

    boolean upstreamUp() {
        return upstreamUp;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        String client = String.valueOf(ctx.channel().remoteAddress());
        link = new UpstreamLink(ctx.channel().eventLoop(), connector, disk, negotiation, ledger, settings, counters, this, client);
        counters.sessions.add(this);
        link.start();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Request request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (disconnecting) {
            request.payload().release(); // nothing may follow DISC
            return;
        }
        if (request.type() == CMD_DISC) {
            request.payload().release();
            disconnecting = true;
            finishIfDone();
            return;
        }
        if (overLimit(request)) {
            // The decoder skipped such a WRITE's data; no upstream reply could be parsed for such a READ.
            request.payload().release();
            ctx.writeAndFlush(Reply.error(request.cookie(), Nbd.EINVAL));
            return;
        }
        // Held as decoded, a retained slice of the received buffers, until the upstream answers:
        // a copy of its own cost a fifth of the proxy's CPU on nbdcopy writes, and bought nothing
        // (a shared cumulation is rebuilt from its unread components only, a few per read).
        ledger.add(request, System.nanoTime());
        link.pump();
        changed();
    }

    private static boolean overLimit(Request request) {
        return (request.type() == CMD_READ || request.type() == CMD_WRITE) && request.length() > Nbd.MAX_PAYLOAD;
    }

    @Override
    public void answered(PendingRequests.Pending pending, Reply reply) {
        // The payload is slices of the upstream's received buffers (ReplyDecoder): passed on, not copied.
        ctx.write(new Reply(reply.error(), pending.clientCookie(), reply.payload()));
        pending.release();
        changed();
        finishIfDone();
    }

    @Override
    public void answered(PendingRequests.Pending pending, List<ChunkFrame> chunks) {
        for (ChunkFrame chunk : chunks) {
            // Header, then the data as it came: one gathering write, no composite per chunk.
            ctx.write(chunk.headerWith(ctx.alloc(), pending.clientCookie()));
            ctx.write(chunk.data()); // the channel releases it once written
        }
        pending.release();
        changed();
        finishIfDone();
    }

    @Override
    public void failed(PendingRequests.Pending pending, int errno) {
        ctx.writeAndFlush(Reply.error(pending.clientCookie(), errno));
        pending.release();
        changed();
        finishIfDone();
    }

    @Override
    public void flushReplies() {
        ctx.flush();
    }

    @Override
    public void wrongDisk(String how) {
        log.error("{}: upstream {} came back {}; disconnecting the client rather than serve it wrongly",
                ctx.channel().remoteAddress(), connector.upstream(), how);
        ctx.close();
    }

    @Override
    public void linkChanged() {
        changed();
    }

    /** Reads the client while little of its work waits; keeps the status figures current. */
    private void changed() {
        inFlight = ledger.size();
        upstreamUp = link.isUp();
        boolean read = ledger.waitingCount() < settings.queueDepth() && ledger.waitingBytes() < MAX_HELD_BYTES;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void finishIfDone() {
        if (disconnecting && ledger.isEmpty()) {
            link.disconnect();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A client that takes no replies stops the upstream being read, so replies do not pile up here. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        link.setReadable(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        link.close();
        ledger.releaseAll();
        inFlight = 0;
        counters.sessions.remove(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing client {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
