package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * NBD_OPT_STARTTLS on the server's side: whether TLS is offered or required, whether it has
 * started, and the step itself. The acknowledgement goes out in clear through a TLS handler
 * put first in the pipeline in STARTTLS mode (it lets that one message through), so that
 * whatever the client sends next is read inside TLS.
 */
final class StartTlsStep {
    private final ServerTls tls;
    /** NBD_OPT_STARTTLS has been acknowledged: the rest of the negotiation is inside TLS. */
    private boolean started;

    StartTlsStep(ServerTls tls) {
        this.tls = tls;
    }

    boolean offered() {
        return tls.offered();
    }

    /** Under a required TLS, every option but STARTTLS and ABORT waits until TLS is on. */
    boolean withholds(int option) {
        return tls.required() && !started && option != Nbd.OPT_STARTTLS && option != Nbd.OPT_ABORT;
    }

    /**
     * Answers NBD_OPT_STARTTLS: an error for data or a second request, else the ACK with TLS
     * put in place. Returns whether TLS started, after which negotiation begins anew.
     */
    boolean start(ChannelHandlerContext ctx, ByteBuf data) {
        if (data.isReadable()) {
            ReplySender.sendError(ctx, Nbd.OPT_STARTTLS, Nbd.REP_ERR_INVALID, "NBD_OPT_STARTTLS takes no data");
            return false;
        }
        if (started) {
            ReplySender.sendError(ctx, Nbd.OPT_STARTTLS, Nbd.REP_ERR_INVALID, "TLS is already on");
            return false;
        }
        started = true;
        ctx.pipeline().addFirst(ServerTls.HANDLER_NAME, tls.newHandler(ctx.alloc()));
        ByteBuf ack = ctx.alloc().buffer(OptionReplies.HEADER_LENGTH);
        OptionReplies.writeAck(ack, Nbd.OPT_STARTTLS);
        ReplySender.send(ctx, ack);
        return true;
    }
}
