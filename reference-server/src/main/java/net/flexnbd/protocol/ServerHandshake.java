package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's half of the NBD handshake, old-style or fixed new-style. Reading options is
 * this class's job; answering them is {@link OptionResponder}'s. Once a client picks the
 * export it installs the transmission codec ({@link RequestDecoder}, {@link ReplyEncoder},
 * and {@link ChunkEncoder} for a client that negotiated structured replies) in its own place, hands the pipeline to {@code enterTransmission} so the server can add its
 * request handler behind the codec, and removes itself; bytes the client already sent after
 * its last option go on to the {@link RequestDecoder}.
 *
 * <p>Handlers added by {@code enterTransmission} see {@code handlerAdded}, not
 * {@code channelActive}: the channel is already active by then.
 */
public final class ServerHandshake extends ByteToMessageDecoder {
    /** The name the server gives this handler in the pipeline. */
    public static final String NAME = "nbd-handshake";

    private static final Logger log = LoggerFactory.getLogger(ServerHandshake.class);
    private static final int KNOWN_CLIENT_FLAGS = Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES;
    /** Option header: IHAVEOPT(8) option(4) length(4). */
    private static final int OPTION_HEADER_LENGTH = 16;

    /**
     * Where the negotiation stands; the decoder acts on the bytes this state expects.
     * TRANSMISSION leaves any further bytes for the request decoder; CLOSED discards them.
     */
    enum State { CLIENT_FLAGS, OPTION_HEADER, OPTION_DATA, SKIP_OPTION_DATA, TRANSMISSION, CLOSED }

    private final ExportDescription export;
    private final HandshakeStyle style;
    private final TransmissionStart enterTransmission;
    private final OptionResponder options;

    private State state = State.CLIENT_FLAGS;
    private boolean noZeroes;
    private int option;
    private int optionLength;
    private long bytesToSkip;

    /** Receives the pipeline once the transmission codec is in, with what the client negotiated. */
    @FunctionalInterface
    public interface TransmissionStart {
        void enter(ChannelPipeline pipeline, Negotiation negotiation);
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

    private ServerHandshake(ExportDescription export, HandshakeStyle style, TransmissionStart enterTransmission,
            boolean offerStructuredReplies, HandoverTokens handoverTokens) {
        this.export = Objects.requireNonNull(export, "export");
        this.style = Objects.requireNonNull(style, "style");
        this.enterTransmission = Objects.requireNonNull(enterTransmission, "enterTransmission");
        this.options = new OptionResponder(export, offerStructuredReplies,
                Objects.requireNonNull(handoverTokens, "handoverTokens"));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelActive();
        if (style == HandshakeStyle.OLDSTYLE) {
            ByteBuf hello = ctx.alloc().buffer(Nbd.OLDSTYLE_HELLO_LENGTH);
            Hello.writeOldstyle(hello, export);
            send(ctx, hello);
            enterTransmission(ctx, Negotiation.SIMPLE);
        } else {
            ByteBuf hello = ctx.alloc().buffer(Hello.NEWSTYLE_LENGTH);
            Hello.writeNewstyle(hello);
            send(ctx, hello);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case CLIENT_FLAGS -> {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    long flags = in.readUnsignedInt();
                    if ((flags & ~KNOWN_CLIENT_FLAGS) != 0) {
                        fail(ctx, in, String.format(
                                "client flags 0x%08x carry unknown bits (known: 0x%08x)", flags, KNOWN_CLIENT_FLAGS));
                        return;
                    }
                    noZeroes = (flags & Nbd.FLAG_C_NO_ZEROES) != 0;
                    state = State.OPTION_HEADER;
                }
                case OPTION_HEADER -> {
                    if (in.readableBytes() < OPTION_HEADER_LENGTH) {
                        return;
                    }
                    long magic = in.readLong();
                    if (magic != Nbd.IHAVEOPT) {
                        fail(ctx, in, String.format(
                                "bad option magic: got 0x%016x, expected IHAVEOPT 0x%016x", magic, Nbd.IHAVEOPT));
                        return;
                    }
                    option = in.readInt();
                    long length = in.readUnsignedInt();
                    startOption(ctx, in, length);
                }
                case OPTION_DATA -> {
                    if (in.readableBytes() < optionLength) {
                        return;
                    }
                    handleOption(ctx, in.readSlice(optionLength));
                }
                case SKIP_OPTION_DATA -> {
                    int skipped = (int) Math.min(in.readableBytes(), bytesToSkip);
                    in.skipBytes(skipped);
                    bytesToSkip -= skipped;
                    if (bytesToSkip > 0) {
                        return;
                    }
                    state = State.OPTION_HEADER;
                }
                case TRANSMISSION -> {
                    return;
                }
                case CLOSED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /** Decides, from an option's header alone, whether to read its data or skip it. */
    private void startOption(ChannelHandlerContext ctx, ByteBuf in, long length) {
        if (length > Nbd.MAX_OPTION_LENGTH) {
            if (option == Nbd.OPT_EXPORT_NAME) {
                fail(ctx, in, "NBD_OPT_EXPORT_NAME of " + length + " bytes is over the limit of "
                        + Nbd.MAX_OPTION_LENGTH + " and cannot be refused but by closing");
                return;
            }
            replyError(ctx, Nbd.REP_ERR_TOO_BIG,
                    "option " + option + " data of " + length + " bytes exceeds " + Nbd.MAX_OPTION_LENGTH);
            skip(length);
            return;
        }
        if (!options.isSupported(option)) {
            log.debug("{}: unsupported option {}", ctx.channel().remoteAddress(), option);
            replyError(ctx, Nbd.REP_ERR_UNSUP, "option " + option + " is not supported");
            skip(length);
            return;
        }
        optionLength = (int) length;
        state = State.OPTION_DATA;
    }

    private void skip(long length) {
        bytesToSkip = length;
        state = length == 0 ? State.OPTION_HEADER : State.SKIP_OPTION_DATA;
    }

    /** Acts on one supported option whose data has fully arrived. */
    private void handleOption(ChannelHandlerContext ctx, ByteBuf data) {
        state = State.OPTION_HEADER;
        ByteBuf reply = ctx.alloc().buffer();
        OptionResponder.Next next;
        try {
            next = options.answer(option, data, noZeroes, reply);
        } catch (RuntimeException e) {
            reply.release();
            throw e;
        }
        switch (next) {
            case HAGGLE -> send(ctx, reply);
            case TRANSMISSION -> {
                send(ctx, reply);
                enterTransmission(ctx, options.negotiation());
            }
            case CLOSE -> {
                state = State.CLOSED;
                ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }


    private void replyError(ChannelHandlerContext ctx, int errorType, String message) {
        ByteBuf reply = ctx.alloc().buffer();
        OptionReplies.writeError(reply, option, errorType, message);
        send(ctx, reply);
    }

    private static void send(ChannelHandlerContext ctx, ByteBuf bytes) {
        ctx.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Puts the transmission codec in this handler's place; see the class comment. */
    private void enterTransmission(ChannelHandlerContext ctx, Negotiation negotiation) {
        state = State.TRANSMISSION;
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addAfter(ctx.name(), RequestDecoder.NAME, new RequestDecoder());
        pipeline.addAfter(RequestDecoder.NAME, ReplyEncoder.NAME, new ReplyEncoder());
        if (negotiation.structuredReplies()) {
            pipeline.addAfter(ReplyEncoder.NAME, ChunkEncoder.NAME, new ChunkEncoder());
        }
        enterTransmission.enter(pipeline, negotiation);
        pipeline.remove(this);
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, String reason) {
        log.warn("{}: handshake failed, closing: {}", ctx.channel().remoteAddress(), reason);
        state = State.CLOSED;
        in.skipBytes(in.readableBytes());
        ctx.close();
    }
}
