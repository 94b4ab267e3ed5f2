package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server does with each option its {@link OptionFramer} reads: refuses some from
 * their header alone (too long, withheld until TLS, unsupported), gives NBD_OPT_STARTTLS to
 * the {@link StartTlsStep} and every other option to an {@link OptionResponder}, sends the
 * answers, and records how haggling ended for {@link ServerHandshake}.
 */
final class OptionHaggling implements OptionFramer.Options {
    private static final Logger log = LoggerFactory.getLogger(OptionHaggling.class);

    /** Where haggling stands once the framer returns. */
    enum Outcome { HAGGLING, TRANSMISSION, CLOSED }

    private final Supplier<OptionResponder> freshOptions;
    private final StartTlsStep tls;
    /** Answers the options; made afresh when TLS starts, which forgets what was agreed in clear. */
    private OptionResponder options;
    private boolean noZeroes;
    private Outcome outcome = Outcome.HAGGLING;

    OptionHaggling(Supplier<OptionResponder> freshOptions, StartTlsStep tls) {
        this.freshOptions = freshOptions;
        this.tls = tls;
        this.options = freshOptions.get();
    }

    Outcome outcome() {
        return outcome;
    }

    /** What the client negotiated; read once the outcome is {@link Outcome#TRANSMISSION}. */
    Negotiation negotiation() {
        return options.negotiation();
    }

    /** The export the client picked; read once the outcome is {@link Outcome#TRANSMISSION}. */
    ExportDescription chosenExport() {
        return options.chosenExport();
    }

    @Override
    public void clientFlags(ChannelHandlerContext ctx, boolean noZeroes) {
        this.noZeroes = noZeroes;
    }

    @Override
    public OptionFramer.Admission admit(ChannelHandlerContext ctx, int option, long length) {
        if (length > Nbd.MAX_OPTION_LENGTH) {
            return refuse(ctx, option, Nbd.REP_ERR_TOO_BIG,
                    "option " + option + " data of " + length + " bytes exceeds " + Nbd.MAX_OPTION_LENGTH,
                    "NBD_OPT_EXPORT_NAME of " + length + " bytes is over the limit of " + Nbd.MAX_OPTION_LENGTH
                            + " and cannot be refused but by closing");
        }
        if (tls.withholds(option)) {
            return refuse(ctx, option, Nbd.REP_ERR_TLS_REQD, "TLS is required: send NBD_OPT_STARTTLS first",
                    "NBD_OPT_EXPORT_NAME before NBD_OPT_STARTTLS, and TLS is required");
        }
        if (option == Nbd.OPT_STARTTLS && tls.offered()) {
            return OptionFramer.Admission.READ;
        }
        if (!options.isSupported(option)) {
            log.debug("{}: unsupported option {}", ctx.channel().remoteAddress(), option);
            ReplySender.sendError(ctx, option, Nbd.REP_ERR_UNSUP, "option " + option + " is not supported");
            return OptionFramer.Admission.SKIP;
        }
        return OptionFramer.Admission.READ;
    }

    /** An error reply and the data skipped; NBD_OPT_EXPORT_NAME has no error reply, so it closes. */
    private OptionFramer.Admission refuse(ChannelHandlerContext ctx, int option, int errorType, String message,
            String exportNameReason) {
        if (option == Nbd.OPT_EXPORT_NAME) {
            malformed(ctx, exportNameReason);
            return OptionFramer.Admission.STOP;
        }
        ReplySender.sendError(ctx, option, errorType, message);
        return OptionFramer.Admission.SKIP;
    }

    @Override
    public OptionFramer.Step option(ChannelHandlerContext ctx, int option, ByteBuf data) {
        if (option == Nbd.OPT_STARTTLS) {
            if (!tls.start(ctx, data)) {
                return OptionFramer.Step.NEXT;
            }
            // As the NBD protocol asks, everything agreed in clear is forgotten.
            options = freshOptions.get();
            return OptionFramer.Step.NEXT_INSIDE_TLS;
        }
        ByteBuf reply = ctx.alloc().buffer();
        OptionResponder.Next next;
        try {
            next = options.answer(option, data, noZeroes, reply);
        } catch (RuntimeException e) {
            reply.release();
            throw e;
        }
        switch (next) {
            case HAGGLE -> {
                ReplySender.send(ctx, reply);
                return OptionFramer.Step.NEXT;
            }
            case TRANSMISSION -> {
                ReplySender.send(ctx, reply);
                outcome = Outcome.TRANSMISSION;
                return OptionFramer.Step.STOP;
            }
            default -> {
                outcome = Outcome.CLOSED;
                ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
                return OptionFramer.Step.STOP;
            }
        }
    }

    @Override
    public void malformed(ChannelHandlerContext ctx, String reason) {
        log.warn("{}: handshake failed, closing: {}", ctx.channel().remoteAddress(), reason);
        outcome = Outcome.CLOSED;
        ctx.close();
    }
}
