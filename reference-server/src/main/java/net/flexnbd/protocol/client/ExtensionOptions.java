package net.flexnbd.protocol.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;

/**
 * The options a client sends before NBD_OPT_GO to get more than simple replies, as a state
 * machine without I/O, so that the blocking handshake and the proxy's Netty one
 * ({@code proxy/UpstreamGo}) ask and understand them the same way: NBD_OPT_STRUCTURED_REPLY,
 * then, once that is acknowledged, NBD_OPT_SET_META_CONTEXT for {@code base:allocation} on
 * the default (empty) export name. A server that refuses either (any error reply) simply
 * does not have it; a reply that breaks the protocol is an {@link NbdProtocolException}.
 *
 * <p>Use: while {@link #next()} gives an option, send it, then feed every reply to it to
 * {@link #reply} until that returns true.
 */
public final class ExtensionOptions {
    /** One option to send: its number and its data. */
    public record Option(int option, byte[] data) {}

    private enum Step { STRUCTURED_REPLY, META_CONTEXT, DONE }

    private final Negotiation wanted;
    private Step step;
    private boolean structuredReplies;
    private OptionalInt baseAllocationId = OptionalInt.empty();

    public ExtensionOptions(Negotiation wanted) {
        this.wanted = wanted;
        this.step = wanted.structuredReplies() ? Step.STRUCTURED_REPLY : Step.DONE;
    }

    /** The option to send now; null when every wanted one has been answered. */
    public Option next() {
        return switch (step) {
            case STRUCTURED_REPLY -> new Option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
            case META_CONTEXT -> new Option(Nbd.OPT_SET_META_CONTEXT, setBaseAllocation());
            case DONE -> null;
        };
    }

    /**
     * One reply to the option {@link #next()} gave.
     *
     * @return true when it was the option's last reply (an ACK or an error)
     */
    public boolean reply(int option, int type, byte[] data) throws NbdProtocolException {
        Option asked = next();
        if (asked == null || option != asked.option()) {
            throw new NbdProtocolException("option reply names option " + option + ", expected "
                    + (asked == null ? "none" : asked.option()));
        }
        if (type == Nbd.REP_META_CONTEXT && step == Step.META_CONTEXT) {
            if (data.length < 4) {
                throw new NbdProtocolException("NBD_REP_META_CONTEXT of " + data.length + " bytes has no context id");
            }
            String name = new String(data, 4, data.length - 4, StandardCharsets.UTF_8);
            if (name.equals(Nbd.BASE_ALLOCATION)) {
                baseAllocationId = OptionalInt.of(ByteBuffer.wrap(data).getInt());
            }
            return false;
        }
        if (type == Nbd.REP_ACK) {
            if (step == Step.STRUCTURED_REPLY) {
                structuredReplies = true;
                step = wanted.baseAllocation() ? Step.META_CONTEXT : Step.DONE;
            } else {
                step = Step.DONE;
            }
            return true;
        }
        if (type < 0) { // every error type has the top bit set: the server has not got it
            step = Step.DONE;
            return true;
        }
        throw new NbdProtocolException(String.format("unexpected reply type 0x%08x to option %d", type, option));
    }

    /** Whether the server acknowledged NBD_OPT_STRUCTURED_REPLY. */
    public boolean structuredReplies() {
        return structuredReplies;
    }

    /** The id the server gave base:allocation; empty when it was not asked for or not had. */
    public OptionalInt baseAllocationId() {
        return baseAllocationId;
    }

    /** Export name (empty: the default export), one query. */
    private static byte[] setBaseAllocation() {
        byte[] query = Nbd.BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + 4 + 4 + query.length)
                .putInt(0)
                .putInt(1)
                .putInt(query.length).put(query)
                .array();
    }
}
