package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Splits what a client sends during fixed new-style haggling into its flags and its options:
 * an explicit state machine over the bytes that returns while bytes are missing. What an
 * option means is not its business: it asks {@link Options} whether to read an option's data
 * or skip it, and hands over the data it read.
 */
final class OptionFramer {
    static final int KNOWN_CLIENT_FLAGS = Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES;
    /** Option header: IHAVEOPT(8) option(4) length(4). */
    private static final int OPTION_HEADER_LENGTH = 16;

    /** What the framer reads next; STOPPED reads nothing more. */
    enum State { CLIENT_FLAGS, OPTION_HEADER, OPTION_DATA, SKIP_OPTION_DATA, STOPPED }

    /** Decided from an option's header: read its data, skip it (it was already answered), or stop. */
    enum Admission { READ, SKIP, STOP }

    /**
     * After an option was handled: the next option follows in the same bytes, follows only
     * through the TLS layer just put below (so nothing may be left in clear), or none follows.
     */
    enum Step { NEXT, NEXT_INSIDE_TLS, STOP }

    /** What the handshake does with each piece the framer reads. */
    interface Options {
        void clientFlags(ChannelHandlerContext ctx, boolean noZeroes);

        /** Decides from the header alone; only lengths up to {@link Nbd#MAX_OPTION_LENGTH} may be read. */
        Admission admit(ChannelHandlerContext ctx, int option, long length);

        /** One admitted option whose data has fully arrived. */
        Step option(ChannelHandlerContext ctx, int option, ByteBuf data);

        /** The bytes break the framing; the framer has stopped. */
        void malformed(ChannelHandlerContext ctx, String reason);
    }

    private final Options options;
    private State state = State.CLIENT_FLAGS;
    private int option;
    private int optionLength;
    private long bytesToSkip;

    OptionFramer(Options options) {
        this.options = options;
    }

    State state() {
        return state;
    }

    /** Reads every flag, header and option {@code in} holds whole, and leaves the rest. */
    void read(ChannelHandlerContext ctx, ByteBuf in) {
        for (;;) {
            switch (state) {
                case CLIENT_FLAGS -> {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    long flags = in.readUnsignedInt();
                    if ((flags & ~KNOWN_CLIENT_FLAGS) != 0) {
                        malformed(ctx, String.format(
                                "client flags 0x%08x carry unknown bits (known: 0x%08x)", flags, KNOWN_CLIENT_FLAGS));
                        return;
                    }
                    options.clientFlags(ctx, (flags & Nbd.FLAG_C_NO_ZEROES) != 0);
                    state = State.OPTION_HEADER;
                }
                case OPTION_HEADER -> {
                    if (in.readableBytes() < OPTION_HEADER_LENGTH) {
                        return;
                    }
                    long magic = in.readLong();
                    if (magic != Nbd.IHAVEOPT) {
                        malformed(ctx, String.format(
                                "bad option magic: got 0x%016x, expected IHAVEOPT 0x%016x", magic, Nbd.IHAVEOPT));
                        return;
                    }
                    option = in.readInt();
                    admit(ctx, in.readUnsignedInt());
                }
                case OPTION_DATA -> {
                    if (in.readableBytes() < optionLength) {
                        return;
                    }
                    ByteBuf data = in.readSlice(optionLength);
                    state = State.OPTION_HEADER;
                    Step step = options.option(ctx, option, data);
                    if (step == Step.STOP) {
                        state = State.STOPPED;
                    } else if (step == Step.NEXT_INSIDE_TLS && in.isReadable()) {
                        // Bytes sent in clear after STARTTLS would be read as if inside TLS.
                        malformed(ctx, in.readableBytes() + " bytes in clear after NBD_OPT_STARTTLS");
                        return;
                    }
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
                case STOPPED -> {
                    return;
                }
            }
        }
    }

    private void admit(ChannelHandlerContext ctx, long length) {
        switch (options.admit(ctx, option, length)) {
            case READ -> {
                if (length > Nbd.MAX_OPTION_LENGTH) {
                    throw new IllegalStateException("option " + option + " of " + length + " bytes admitted for reading");
                }
                optionLength = (int) length;
                state = State.OPTION_DATA;
            }
            case SKIP -> {
                bytesToSkip = length;
                state = length == 0 ? State.OPTION_HEADER : State.SKIP_OPTION_DATA;
            }
            case STOP -> state = State.STOPPED;
        }
    }

    private void malformed(ChannelHandlerContext ctx, String reason) {
        state = State.STOPPED;
        options.malformed(ctx, reason);
    }
}
