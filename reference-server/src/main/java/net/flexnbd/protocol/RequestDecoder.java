package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Turns the transmission-phase byte stream into {@link Request}s on the server. A WRITE's
 * payload is a retained slice of the received buffers, never a copy (the decoder cumulates
 * with a composite, so the slice may span several socket reads: use
 * {@link ByteBuf#nioBuffers()} to write it out). A WRITE longer than {@link Nbd#MAX_PAYLOAD}
 * is emitted without payload, so the server can answer EINVAL, and its bytes are skipped
 * unbuffered to stay in step. A bad request magic gets an EINVAL reply (as flexnbd sends;
 * the cookie is whatever stood in the bad header's cookie field), then fires a
 * {@link ProtocolException} and closes the channel; nothing after it is decoded.
 *
 * A read that ends halfway through a request fires {@link PartialRequest#INSTANCE}.
 *
 * <p>Before gathering a payload the decoder asks the channel's {@link PayloadAllowance}, if
 * it has one, for the memory: while the answer is no it stops reading the connection. A
 * WRITE with its payload is passed on before the next header is decoded, so the allowance
 * sees each request that holds memory before the next one asks for more.
 */
public final class RequestDecoder extends ByteToMessageDecoder {
    /** The name the handshake gives this handler in the pipeline. */
    public static final String NAME = "nbd-request-decoder";

    /**
     * What the next bytes are: a header, a WRITE's payload, an oversized payload to skip;
     * AWAIT_MEMORY holds a WRITE's payload back until its allowance is granted.
     */
    enum State { HEADER, AWAIT_MEMORY, PAYLOAD, DISCARD, FAILED }

    private State state = State.HEADER;
    // The header of the WRITE whose payload is being gathered.
    private int flags;
    private long cookie;
    private long offset;
    private int payloadLength;
    private long bytesToDiscard;

    public RequestDecoder() {
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case HEADER -> {
                    if (in.readableBytes() < Nbd.REQUEST_HEADER_LENGTH) {
                        return;
                    }
                    decodeHeader(ctx, in, out);
                }
                case AWAIT_MEMORY -> {
                    return;
                }
                case PAYLOAD -> {
                    if (in.readableBytes() < payloadLength) {
                        return;
                    }
                    out.add(new Request(flags, Nbd.CMD_WRITE, cookie, offset, payloadLength,
                            in.readRetainedSlice(payloadLength)));
                    state = State.HEADER;
                    // Out before the next header is decoded: its allowance is granted against
                    // this request, and the allowance must see this one go past first.
                    return;
                }
                case DISCARD -> {
                    int skipped = (int) Math.min(in.readableBytes(), bytesToDiscard);
                    in.skipBytes(skipped);
                    bytesToDiscard -= skipped;
                    if (bytesToDiscard > 0) {
                        return;
                    }
                    state = State.HEADER;
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (holdsPartialRequest()) {
            ctx.fireUserEventTriggered(PartialRequest.INSTANCE);
        }
        super.channelReadComplete(ctx);
    }

    /**
     * True while part of a request has arrived and the rest has not: a header cut short, a
     * WRITE's payload still coming (or waiting for memory), or an oversized payload still
     * being skipped.
     */
    boolean holdsPartialRequest() {
        return switch (state) {
            case HEADER -> actualReadableBytes() > 0;
            case AWAIT_MEMORY, PAYLOAD, DISCARD -> true;
            case FAILED -> false;
        };
    }

    /**
     * True while a WRITE's payload waits for memory: the connection is not being read, and
     * the wait is the server's doing, not the client's. Call on the channel's event loop.
     */
    public boolean awaitingMemory() {
        return state == State.AWAIT_MEMORY;
    }

    private void decodeHeader(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int magic = in.readInt();
        if (magic != Nbd.REQUEST_MAGIC) {
            state = State.FAILED;
            long badCookie = in.getLong(in.readerIndex() + 4);
            in.skipBytes(in.readableBytes());
            ctx.writeAndFlush(ctx.alloc().buffer(Nbd.REPLY_HEADER_LENGTH)
                    .writeInt(Nbd.SIMPLE_REPLY_MAGIC).writeInt(Nbd.EINVAL).writeLong(badCookie));
            ctx.fireExceptionCaught(ProtocolException.badMagic(
                    "request magic", Integer.toUnsignedLong(magic), Nbd.REQUEST_MAGIC, 8));
            ctx.close();
            return;
        }
        int requestFlags = in.readUnsignedShort();
        int type = in.readUnsignedShort();
        long requestCookie = in.readLong();
        long requestOffset = in.readLong();
        long length = in.readUnsignedInt();
        if (type != Nbd.CMD_WRITE || length == 0) {
            out.add(Request.of(requestFlags, type, requestCookie, requestOffset, length));
        } else if (length > Nbd.MAX_PAYLOAD) {
            out.add(Request.of(requestFlags, type, requestCookie, requestOffset, length));
            bytesToDiscard = length;
            state = State.DISCARD;
        } else {
            flags = requestFlags;
            cookie = requestCookie;
            offset = requestOffset;
            payloadLength = (int) length;
            state = State.PAYLOAD;
            reservePayload(ctx);
        }
    }

    /** Asks for the payload's memory; without it, stops reading until it is granted. */
    private void reservePayload(ChannelHandlerContext ctx) {
        PayloadAllowance allowance = ctx.channel().attr(PayloadAllowance.KEY).get();
        if (allowance == null) {
            return;
        }
        state = State.AWAIT_MEMORY;
        if (allowance.reserve(cookie, payloadLength, () -> ctx.executor().execute(() -> granted(ctx)))) {
            state = State.PAYLOAD;
        }
    }

    private void granted(ChannelHandlerContext ctx) {
        if (state != State.AWAIT_MEMORY) {
            return;
        }
        state = State.PAYLOAD;
        // Decode what the last reads left in the cumulation; the allowance resumes reading.
        try {
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }
}
