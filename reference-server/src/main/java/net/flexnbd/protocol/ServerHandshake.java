package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The server's half of the NBD handshake, old-style or fixed new-style, as a handler that
 * replaces itself. The parts are small types: {@link OptionFramer} reads the client's bytes
 * into options, {@link OptionHaggling} decides what to do with each ({@link StartTlsStep} for
 * NBD_OPT_STARTTLS, {@link OptionResponder} for the rest). Once a client picks the export this
 * handler installs the transmission codec ({@link RequestDecoder}, {@link ReplyEncoder}, and
 * {@link ChunkEncoder} for a client that negotiated structured replies) in its own place, hands
 * the pipeline to {@code enterTransmission} so the server can add its request handler behind
 * the codec, and removes itself; bytes the client already sent after its last option go on to
 * the {@link RequestDecoder}.
 *
 * <p>Handlers added by {@code enterTransmission} see {@code handlerAdded}, not
 * {@code channelActive}: the channel is already active by then.
 */
public final class ServerHandshake extends ByteToMessageDecoder {
    /** The name the server gives this handler in the pipeline. */
    public static final String NAME = "nbd-handshake";

    private final ExportCatalogue exports;
    private final HandshakeStyle style;
    private final ExportStart enterTransmission;
    private final Supplier<OptionResponder> freshOptions;
    private OptionHaggling haggling;
    private OptionFramer framer;

    /** Receives the pipeline once the transmission codec is in, with what the client negotiated. */
    @FunctionalInterface
    public interface TransmissionStart {
        void enter(ChannelPipeline pipeline, Negotiation negotiation);
    }

    /** As {@link TransmissionStart}, and told which of several exports the client picked. */
    @FunctionalInterface
    public interface ExportStart {
        void enter(ChannelPipeline pipeline, Negotiation negotiation, ExportDescription export);
    }

    /**
     * A handshake that offers structured replies and the base:allocation context;
     * {@code enterTransmission} is told which of them the client took.
     */
    public ServerHandshake(ExportDescription export, HandshakeStyle style, TransmissionStart enterTransmission) {
        this(export, style, enterTransmission, true, HandoverTokens.NONE);
    }

    /** A handshake for a server that only sends simple replies: structured replies are not offered. */
    public ServerHandshake(ExportDescription export, HandshakeStyle style, Consumer<ChannelPipeline> enterTransmission) {
        this(export, style, (pipeline, negotiation) -> enterTransmission.accept(pipeline), false,
                HandoverTokens.NONE);
    }

    /**
     * A simple-reply handshake that also answers {@link Nbd#OPT_FLEXNBD_HANDOVER} through
     * {@code handoverTokens} (the migration link, and a server that took a handover).
     */
    public ServerHandshake(ExportDescription export, HandshakeStyle style, Consumer<ChannelPipeline> enterTransmission,
            HandoverTokens handoverTokens) {
        this(export, style, (pipeline, negotiation) -> enterTransmission.accept(pipeline), false, handoverTokens);
    }

    /** Structured replies offered, and the handover option answered through {@code handoverTokens}. */
    public ServerHandshake(ExportDescription export, HandshakeStyle style, TransmissionStart enterTransmission,
            HandoverTokens handoverTokens) {
        this(export, style, enterTransmission, true, handoverTokens);
    }

    /**
     * Several exports, structured replies offered: {@code enterTransmission} is told which
     * export the client picked (the old-style hello always serves the default one).
     */
    public ServerHandshake(ExportCatalogue exports, HandshakeStyle style, ExportStart enterTransmission,
            HandoverTokens handoverTokens) {
        this(exports, style, enterTransmission, true, handoverTokens);
    }

    /**
     * A handshake that offers what {@code offered} names: structured replies, and
     * base:allocation with them (the proxy, which offers what its upstream has). Without
     * structured replies the options for them are unsupported; without base:allocation the
     * metadata context options match no context.
     */
    public static ServerHandshake offering(Negotiation offered, ExportDescription export, HandshakeStyle style,
            TransmissionStart enterTransmission) {
        return new ServerHandshake(ExportCatalogue.single(Objects.requireNonNull(export, "export")), style,
                (pipeline, negotiation, picked) -> enterTransmission.enter(pipeline, negotiation), offered,
                HandoverTokens.NONE);
    }

    private ServerHandshake(ExportDescription export, HandshakeStyle style, TransmissionStart enterTransmission,
            boolean offerStructuredReplies, HandoverTokens handoverTokens) {
        this(ExportCatalogue.single(Objects.requireNonNull(export, "export")), style,
                (pipeline, negotiation, picked) -> enterTransmission.enter(pipeline, negotiation),
                offerStructuredReplies, handoverTokens);
    }

    private ServerHandshake(ExportCatalogue exports, HandshakeStyle style, ExportStart enterTransmission,
            boolean offerStructuredReplies, HandoverTokens handoverTokens) {
        this(exports, style, enterTransmission, new Negotiation(offerStructuredReplies, offerStructuredReplies),
                handoverTokens);
    }

    private ServerHandshake(ExportCatalogue exports, HandshakeStyle style, ExportStart enterTransmission,
            Negotiation offered, HandoverTokens handoverTokens) {
        this.exports = Objects.requireNonNull(exports, "exports");
        this.style = Objects.requireNonNull(style, "style");
        this.enterTransmission = Objects.requireNonNull(enterTransmission, "enterTransmission");
        Objects.requireNonNull(handoverTokens, "handoverTokens");
        Objects.requireNonNull(offered, "offered");
        this.freshOptions = () -> new OptionResponder(exports, offered, handoverTokens);
        haggleWith(ServerTls.OFF);
    }

    /**
     * Offers or requires NBD_OPT_STARTTLS as {@code serverTls} says; call before the handler
     * is added. New-style only: the old-style hello has no options.
     */
    public ServerHandshake withTls(ServerTls serverTls) {
        Objects.requireNonNull(serverTls, "serverTls");
        if (style == HandshakeStyle.OLDSTYLE && serverTls.required()) {
            throw new IllegalArgumentException("TLS cannot be required with the old-style handshake");
        }
        haggleWith(serverTls);
        return this;
    }

    private void haggleWith(ServerTls serverTls) {
        haggling = new OptionHaggling(freshOptions, new StartTlsStep(serverTls));
        framer = new OptionFramer(haggling);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelActive();
        if (style == HandshakeStyle.OLDSTYLE) {
            // The old-style hello carries the export: transmission starts at once.
            ByteBuf hello = ctx.alloc().buffer(Nbd.OLDSTYLE_HELLO_LENGTH);
            Hello.writeOldstyle(hello, exports.defaultExport());
            ReplySender.send(ctx, hello);
            enterTransmission(ctx, Negotiation.SIMPLE, exports.defaultExport());
        } else {
            ByteBuf hello = ctx.alloc().buffer(Hello.NEWSTYLE_LENGTH);
            Hello.writeNewstyle(hello);
            ReplySender.send(ctx, hello);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        framer.read(ctx, in);
        switch (haggling.outcome()) {
            case HAGGLING -> { }
            case TRANSMISSION -> enterTransmission(ctx, haggling.negotiation(), haggling.chosenExport());
            case CLOSED -> in.skipBytes(in.readableBytes());
        }
    }

    /** Puts the transmission codec in this handler's place; see the class comment. */
    private void enterTransmission(ChannelHandlerContext ctx, Negotiation negotiation, ExportDescription export) {
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addAfter(ctx.name(), RequestDecoder.NAME, new RequestDecoder());
        pipeline.addAfter(RequestDecoder.NAME, ReplyEncoder.NAME, new ReplyEncoder());
        if (negotiation.structuredReplies()) {
            pipeline.addAfter(ReplyEncoder.NAME, ChunkEncoder.NAME, new ChunkEncoder());
        }
        enterTransmission.enter(pipeline, negotiation, export);
        pipeline.remove(this);
    }
}
