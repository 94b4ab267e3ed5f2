package net.flexnbd.protocol.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import javax.net.ssl.SSLException;
import net.flexnbd.protocol.HandoverState;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;

/**
 * The client's half of the handshake over blocking streams. It recognises either hello:
 * old-style needs no answer; new-style gets NBD_OPT_GO for the default (empty) export name,
 * falling back to NBD_OPT_EXPORT_NAME when the server does not support GO. Public for the
 * proxy, which negotiates with its upstream on a blocking socket before handing it to Netty.
 *
 * <p>With TLS asked for, the first option is NBD_OPT_STARTTLS and everything after its
 * acknowledgement runs inside TLS; a server that does not offer it, an old-style hello (no
 * options at all) and a failed TLS handshake end the handshake with a
 * {@link TlsNegotiationException}, as does NBD_REP_ERR_TLS_REQD to a client in clear.
 */
public final class ClientHandshake {
    private ClientHandshake() {}

    /**
     * What the server said about the export, and, when a handover token was offered, what it
     * holds for that token (empty: it knows no tokens).
     */
    public record Negotiated(long exportSize, int transmissionFlags, Optional<HandoverState> handover,
            boolean structuredReplies, OptionalInt baseAllocationId) {
        Negotiated(long exportSize, int transmissionFlags) {
            this(exportSize, transmissionFlags, Optional.empty(), false, OptionalInt.empty());
        }

        Negotiated withHandover(Optional<HandoverState> state) {
            return new Negotiated(exportSize, transmissionFlags, state, structuredReplies, baseAllocationId);
        }

        Negotiated withExtensions(ExtensionOptions agreed) {
            return new Negotiated(exportSize, transmissionFlags, handover, agreed.structuredReplies(),
                    agreed.baseAllocationId());
        }
    }

    /** Longest option reply accepted; the spec caps strings at 4096 bytes and info items are small. */
    static final int MAX_OPTION_REPLY_LENGTH = 64 * 1024;

    /** The connection's two directions: in clear, or inside TLS once it has started. */
    public record Streams(DataInputStream in, DataOutputStream out) {}

    /** Starts TLS once the server has acknowledged NBD_OPT_STARTTLS, giving the streams inside it. */
    @FunctionalInterface
    public interface TlsStart {
        /** @throws SSLException when the TLS handshake fails */
        Streams start() throws IOException;
    }

    public static Negotiated negotiate(DataInputStream in, DataOutputStream out) throws IOException {
        return negotiate(in, out, OptionalLong.empty());
    }

    /**
     * As {@link #negotiate(DataInputStream, DataOutputStream)}; with a token, a fixed new-style
     * server is first asked what it holds for it ({@link Nbd#OPT_FLEXNBD_HANDOVER}). An old-style
     * server cannot be asked: it counts as knowing no tokens.
     */
    public static Negotiated negotiate(DataInputStream in, DataOutputStream out, OptionalLong handoverToken)
            throws IOException {
        return negotiate(new Streams(in, out), handoverToken, Optional.empty());
    }

    /**
     * As {@link #negotiate(DataInputStream, DataOutputStream, OptionalLong)}, first asking for
     * TLS when {@code tls} is given; the streams it returns carry the rest of the handshake.
     *
     * @throws TlsNegotiationException when TLS is asked for and not had, or required and not asked for
     */
    public static Negotiated negotiate(Streams clear, OptionalLong handoverToken, Optional<TlsStart> tls)
            throws IOException {
        return negotiate(clear, handoverToken, tls, Negotiation.SIMPLE);
    }

    /**
     * As {@link #negotiate(Streams, OptionalLong, Optional)}, first asking a fixed new-style
     * server for what {@code wanted} names (structured replies, base:allocation) through
     * {@link ExtensionOptions}; {@link Negotiated} says what it agreed to. The old-style hello
     * has no options: such a server agrees to nothing.
     */
    public static Negotiated negotiate(Streams clear, OptionalLong handoverToken, Optional<TlsStart> tls,
            Negotiation wanted) throws IOException {
        DataInputStream in = clear.in();
        DataOutputStream out = clear.out();
        long passwd = in.readLong();
        if (passwd != Nbd.INIT_PASSWD) {
            throw NbdProtocolException.badMagic("hello magic (NBDMAGIC)", passwd, Nbd.INIT_PASSWD);
        }
        long magic = in.readLong();
        if (magic == Nbd.OLDSTYLE_MAGIC && tls.isPresent()) {
            throw new TlsNegotiationException(TlsNegotiationException.Kind.NOT_OFFERED,
                    "the server sent the old-style hello, which has no options and so no NBD_OPT_STARTTLS");
        }
        if (magic == Nbd.OLDSTYLE_MAGIC) {
            long size = in.readLong();
            int flags = in.readInt();
            in.skipNBytes(Nbd.HELLO_PADDING);
            return new Negotiated(size, flags & 0xFFFF);
        }
        if (magic != Nbd.IHAVEOPT) {
            throw new NbdProtocolException(String.format(
                    "bad hello magic: got 0x%016x, expected IHAVEOPT 0x%016x or the old-style magic 0x%016x",
                    magic, Nbd.IHAVEOPT, Nbd.OLDSTYLE_MAGIC));
        }
        int serverFlags = in.readUnsignedShort();
        boolean fixed = (serverFlags & Nbd.FLAG_FIXED_NEWSTYLE) != 0;
        boolean noZeroes = (serverFlags & Nbd.FLAG_NO_ZEROES) != 0;
        out.writeInt((fixed ? Nbd.FLAG_C_FIXED_NEWSTYLE : 0) | (noZeroes ? Nbd.FLAG_C_NO_ZEROES : 0));
        if (tls.isEmpty()) {
            return options(in, out, fixed, noZeroes, handoverToken, wanted);
        }
        requireFixed(fixed);
        startTls(in, out);
        try {
            Streams inside = tls.get().start();
            return options(inside.in(), inside.out(), fixed, noZeroes, handoverToken, wanted);
        } catch (SSLException e) {
            throw new TlsNegotiationException(TlsNegotiationException.Kind.HANDSHAKE_FAILED,
                    "the TLS handshake failed: " + e.getMessage(), e);
        }
    }

    /** Everything after the client flags (and after STARTTLS when TLS is on): the export's size and flags. */
    private static Negotiated options(DataInputStream in, DataOutputStream out, boolean fixed, boolean noZeroes,
            OptionalLong handoverToken, Negotiation wanted) throws IOException {
        Optional<HandoverState> handover = Optional.empty();
        if (fixed && handoverToken.isPresent()) {
            handover = askHandover(in, out, handoverToken.getAsLong());
        }
        ExtensionOptions extensions = new ExtensionOptions(fixed ? wanted : Negotiation.SIMPLE);
        askExtensions(in, out, extensions);
        if (fixed) {
            Negotiated viaGo = go(in, out);
            if (viaGo != null) {
                return viaGo.withHandover(handover).withExtensions(extensions);
            }
        }
        return exportName(in, out, noZeroes).withHandover(handover).withExtensions(extensions);
    }

    /** Sends each option {@code extensions} asks for and gives it every reply, until it has no more. */
    private static void askExtensions(DataInputStream in, DataOutputStream out, ExtensionOptions extensions)
            throws IOException {
        for (ExtensionOptions.Option option = extensions.next(); option != null; option = extensions.next()) {
            writeOptionHeader(out, option.option(), option.data().length);
            out.write(option.data());
            out.flush();
            boolean last;
            do {
                long magic = in.readLong();
                if (magic != Nbd.OPTION_REPLY_MAGIC) {
                    throw NbdProtocolException.badMagic("option reply magic", magic, Nbd.OPTION_REPLY_MAGIC);
                }
                int replyOption = in.readInt();
                int type = in.readInt();
                last = extensions.reply(replyOption, type, readReplyData(in));
            } while (!last);
        }
    }

    /**
     * The part of a TLS handshake before TLS: reads the hello, sends the client flags and
     * NBD_OPT_STARTTLS, and returns once it is acknowledged; TLS starts at the next byte. For a
     * caller that runs TLS itself (the proxy, in Netty) and then sends NBD_OPT_GO inside it.
     *
     * @throws TlsNegotiationException when the server cannot or will not start TLS
     */
    public static void negotiateUntilTls(DataInputStream in, DataOutputStream out) throws IOException {
        long passwd = in.readLong();
        if (passwd != Nbd.INIT_PASSWD) {
            throw NbdProtocolException.badMagic("hello magic (NBDMAGIC)", passwd, Nbd.INIT_PASSWD);
        }
        long magic = in.readLong();
        if (magic == Nbd.OLDSTYLE_MAGIC) {
            throw new TlsNegotiationException(TlsNegotiationException.Kind.NOT_OFFERED,
                    "the server sent the old-style hello, which has no options and so no NBD_OPT_STARTTLS");
        }
        if (magic != Nbd.IHAVEOPT) {
            throw NbdProtocolException.badMagic("hello magic (IHAVEOPT)", magic, Nbd.IHAVEOPT);
        }
        int serverFlags = in.readUnsignedShort();
        requireFixed((serverFlags & Nbd.FLAG_FIXED_NEWSTYLE) != 0);
        boolean noZeroes = (serverFlags & Nbd.FLAG_NO_ZEROES) != 0;
        out.writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | (noZeroes ? Nbd.FLAG_C_NO_ZEROES : 0));
        startTls(in, out);
    }

    private static void requireFixed(boolean fixed) throws TlsNegotiationException {
        if (!fixed) {
            throw new TlsNegotiationException(TlsNegotiationException.Kind.NOT_OFFERED,
                    "the server's hello is not fixed new-style, so it cannot be asked for NBD_OPT_STARTTLS");
        }
    }

    /** NBD_OPT_STARTTLS: returns once it is acknowledged, when TLS starts at the next byte either way. */
    private static void startTls(DataInputStream in, DataOutputStream out) throws IOException {
        writeOptionHeader(out, Nbd.OPT_STARTTLS, 0);
        out.flush();
        long magic = in.readLong();
        if (magic != Nbd.OPTION_REPLY_MAGIC) {
            throw NbdProtocolException.badMagic("option reply magic", magic, Nbd.OPTION_REPLY_MAGIC);
        }
        int option = in.readInt();
        if (option != Nbd.OPT_STARTTLS) {
            throw new NbdProtocolException("option reply names option " + option + ", expected NBD_OPT_STARTTLS ("
                    + Nbd.OPT_STARTTLS + ")");
        }
        int type = in.readInt();
        byte[] data = readReplyData(in);
        if (type == Nbd.REP_ACK) {
            return;
        }
        String detail = data.length == 0 ? "" : ": " + new String(data, StandardCharsets.UTF_8);
        if (type == Nbd.REP_ERR_UNSUP) {
            throw new TlsNegotiationException(TlsNegotiationException.Kind.NOT_OFFERED,
                    "the server does not offer TLS (NBD_OPT_STARTTLS answered with NBD_REP_ERR_UNSUP)" + detail);
        }
        throw new TlsNegotiationException(TlsNegotiationException.Kind.NOT_OFFERED, String.format(
                "the server refused NBD_OPT_STARTTLS with %s (0x%08x)%s", errorName(type), type, detail));
    }

    /** Empty when the server answers with any error (it does not know the option) or an unknown state. */
    private static Optional<HandoverState> askHandover(DataInputStream in, DataOutputStream out, long token)
            throws IOException {
        writeOptionHeader(out, Nbd.OPT_FLEXNBD_HANDOVER, Long.BYTES);
        out.writeLong(token);
        out.flush();
        long magic = in.readLong();
        if (magic != Nbd.OPTION_REPLY_MAGIC) {
            throw NbdProtocolException.badMagic("option reply magic", magic, Nbd.OPTION_REPLY_MAGIC);
        }
        int option = in.readInt();
        if (option != Nbd.OPT_FLEXNBD_HANDOVER) {
            throw new NbdProtocolException("option reply names option " + option + ", expected the handover option ("
                    + Nbd.OPT_FLEXNBD_HANDOVER + ")");
        }
        int type = in.readInt();
        byte[] data = readReplyData(in);
        if (type == Nbd.REP_FLEXNBD_HANDOVER && data.length == 1) {
            return HandoverState.fromWire(data[0] & 0xFF);
        }
        return Optional.empty();
    }

    /** NBD_OPT_GO with an empty name and no info requests; null when the server does not support it. */
    private static Negotiated go(DataInputStream in, DataOutputStream out) throws IOException {
        writeOptionHeader(out, Nbd.OPT_GO, 4 + 2);
        out.writeInt(0);
        out.writeShort(0);
        out.flush();
        long size = -1;
        int flags = 0;
        for (;;) {
            long magic = in.readLong();
            if (magic != Nbd.OPTION_REPLY_MAGIC) {
                throw NbdProtocolException.badMagic("option reply magic", magic, Nbd.OPTION_REPLY_MAGIC);
            }
            int option = in.readInt();
            if (option != Nbd.OPT_GO) {
                throw new NbdProtocolException("option reply names option " + option + ", expected NBD_OPT_GO ("
                        + Nbd.OPT_GO + ")");
            }
            int type = in.readInt();
            byte[] data = readReplyData(in);
            if (type == Nbd.REP_ACK) {
                if (size < 0) {
                    throw new NbdProtocolException("NBD_OPT_GO acknowledged without NBD_INFO_EXPORT");
                }
                return new Negotiated(size, flags);
            } else if (type == Nbd.REP_INFO && data.length >= 12 && readShort(data, 0) == Nbd.INFO_EXPORT) {
                size = readLong(data, 2);
                flags = readShort(data, 10);
            } else if (type == Nbd.REP_ERR_UNSUP) {
                return null;
            } else if (type == Nbd.REP_ERR_TLS_REQD) {
                throw new TlsNegotiationException(TlsNegotiationException.Kind.REQUIRED_BY_SERVER,
                        "the server requires TLS (it answered NBD_OPT_GO with NBD_REP_ERR_TLS_REQD)");
            } else if (type < 0) { // every error type has the top bit set
                throw new IOException(String.format("server refused NBD_OPT_GO with %s (0x%08x)%s",
                        errorName(type), type, data.length == 0 ? "" : ": " + new String(data, StandardCharsets.UTF_8)));
            }
            // other information (block sizes, names) is not needed here
        }
    }

    private static Negotiated exportName(DataInputStream in, DataOutputStream out, boolean noZeroes) throws IOException {
        writeOptionHeader(out, Nbd.OPT_EXPORT_NAME, 0);
        out.flush();
        long size = in.readLong();
        int flags = in.readUnsignedShort();
        if (!noZeroes) {
            in.skipNBytes(Nbd.HELLO_PADDING);
        }
        return new Negotiated(size, flags);
    }

    private static void writeOptionHeader(DataOutputStream out, int option, int length) throws IOException {
        out.writeLong(Nbd.IHAVEOPT);
        out.writeInt(option);
        out.writeInt(length);
    }

    private static byte[] readReplyData(DataInputStream in) throws IOException {
        long length = Integer.toUnsignedLong(in.readInt());
        if (length > MAX_OPTION_REPLY_LENGTH) {
            throw new NbdProtocolException("option reply of " + length + " bytes exceeds the limit of "
                    + MAX_OPTION_REPLY_LENGTH);
        }
        byte[] data = new byte[(int) length];
        in.readFully(data);
        return data;
    }

    private static int readShort(byte[] data, int at) {
        return ((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF);
    }

    private static long readLong(byte[] data, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (data[at + i] & 0xFF);
        }
        return value;
    }

    static String errorName(int replyType) {
        return switch (replyType) {
            case Nbd.REP_ERR_UNSUP -> "NBD_REP_ERR_UNSUP";
            case Nbd.REP_ERR_POLICY -> "NBD_REP_ERR_POLICY";
            case Nbd.REP_ERR_INVALID -> "NBD_REP_ERR_INVALID";
            case Nbd.REP_ERR_PLATFORM -> "NBD_REP_ERR_PLATFORM";
            case Nbd.REP_ERR_TLS_REQD -> "NBD_REP_ERR_TLS_REQD";
            case Nbd.REP_ERR_UNKNOWN -> "NBD_REP_ERR_UNKNOWN";
            case Nbd.REP_ERR_SHUTDOWN -> "NBD_REP_ERR_SHUTDOWN";
            case Nbd.REP_ERR_BLOCK_SIZE_REQD -> "NBD_REP_ERR_BLOCK_SIZE_REQD";
            case Nbd.REP_ERR_TOO_BIG -> "NBD_REP_ERR_TOO_BIG";
            default -> "an unknown error";
        };
    }
}
