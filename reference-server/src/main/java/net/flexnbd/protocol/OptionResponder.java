package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the options of fixed new-style haggling, one at a time, and remembers what they
 * negotiated (structured replies, the selected metadata context). It only writes replies
 * into a buffer and says what happens next; {@link ServerHandshake} reads the options and
 * does the I/O. Every path is listed in docs/protocol.md.
 */
final class OptionResponder {
    private static final Logger log = LoggerFactory.getLogger(OptionResponder.class);

    /** What the handshake does after sending the answer. */
    enum Next { HAGGLE, TRANSMISSION, CLOSE }

    private final ExportDescription export;
    private final boolean offerStructuredReplies;
    private final HandoverTokens handoverTokens;
    private boolean structuredReplies;
    private boolean baseAllocation;

    /**
     * @param offerStructuredReplies whether the server behind can send structured replies;
     *                               without, NBD_OPT_STRUCTURED_REPLY and the metadata
     *                               context options are unsupported
     * @param handoverTokens         what this server holds for a migration sender's token
     *                               ({@link Nbd#OPT_FLEXNBD_HANDOVER})
     */
    OptionResponder(ExportDescription export, boolean offerStructuredReplies, HandoverTokens handoverTokens) {
        this.export = export;
        this.offerStructuredReplies = offerStructuredReplies;
        this.handoverTokens = handoverTokens;
    }

    /** Options whose data the handshake reads and passes to {@link #answer}; others get ERR_UNSUP unread. */
    boolean isSupported(int option) {
        return switch (option) {
            case Nbd.OPT_EXPORT_NAME, Nbd.OPT_ABORT, Nbd.OPT_LIST, Nbd.OPT_INFO, Nbd.OPT_GO,
                    Nbd.OPT_FLEXNBD_HANDOVER -> true;
            case Nbd.OPT_STRUCTURED_REPLY, Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> offerStructuredReplies;
            default -> false;
        };
    }

    /** What was negotiated so far. */
    Negotiation negotiation() {
        return new Negotiation(structuredReplies, baseAllocation);
    }

    /**
     * Writes the answer to one supported option into {@code out}.
     *
     * @param noZeroes the client declined the 124 zero bytes after NBD_OPT_EXPORT_NAME's answer
     */
    Next answer(int option, ByteBuf data, boolean noZeroes, ByteBuf out) {
        switch (option) {
            case Nbd.OPT_EXPORT_NAME -> {
                Hello.writeExportNameReply(out, export, export.transmissionFlags(negotiation()), noZeroes);
                return Next.TRANSMISSION;
            }
            case Nbd.OPT_ABORT -> {
                OptionReplies.writeAck(out, option);
                return Next.CLOSE;
            }
            case Nbd.OPT_LIST -> {
                if (data.isReadable()) {
                    return invalid(out, option, "NBD_OPT_LIST takes no data");
                }
                OptionReplies.writeServer(out, option, export.name());
                OptionReplies.writeAck(out, option);
                return Next.HAGGLE;
            }
            case Nbd.OPT_INFO, Nbd.OPT_GO -> {
                return info(option, data, out);
            }
            case Nbd.OPT_STRUCTURED_REPLY -> {
                return structuredReply(option, data, out);
            }
            case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> {
                return metaContext(option, data, out);
            }
            case Nbd.OPT_FLEXNBD_HANDOVER -> {
                return handover(option, data, out);
            }
            default -> throw new IllegalStateException("option " + option + " passed isSupported but has no answer");
        }
    }

    private Next info(int option, ByteBuf data, ByteBuf out) {
        var request = InfoRequest.parse(data);
        if (request.isEmpty()) {
            return invalid(out, option, "malformed NBD_OPT_INFO/NBD_OPT_GO data");
        }
        OptionReplies.writeInfoExport(out, option, export.size(), export.transmissionFlags(negotiation()));
        if (request.get().requestedInfo().contains(Nbd.INFO_NAME)) {
            OptionReplies.writeInfoString(out, option, Nbd.INFO_NAME, export.name());
        }
        if (request.get().requestedInfo().contains(Nbd.INFO_DESCRIPTION) && !export.description().isEmpty()) {
            OptionReplies.writeInfoString(out, option, Nbd.INFO_DESCRIPTION, export.description());
        }
        OptionReplies.writeInfoBlockSize(out, option);
        OptionReplies.writeAck(out, option);
        return option == Nbd.OPT_GO ? Next.TRANSMISSION : Next.HAGGLE;
    }

    private Next structuredReply(int option, ByteBuf data, ByteBuf out) {
        if (data.isReadable()) {
            return invalid(out, option, "NBD_OPT_STRUCTURED_REPLY takes no data");
        }
        if (structuredReplies) {
            // As qemu-nbd does: the second request is refused, the first one stands.
            return invalid(out, option, "structured replies are already negotiated");
        }
        structuredReplies = true;
        OptionReplies.writeAck(out, option);
        return Next.HAGGLE;
    }

    private Next metaContext(int option, ByteBuf data, ByteBuf out) {
        boolean set = option == Nbd.OPT_SET_META_CONTEXT;
        if (!structuredReplies) {
            return invalid(out, option, "negotiate NBD_OPT_STRUCTURED_REPLY before metadata contexts");
        }
        var request = MetaContextRequest.parse(data);
        if (request.isEmpty()) {
            return invalid(out, option, "malformed metadata context request");
        }
        boolean match = set ? request.get().selectsBaseAllocation() : request.get().listsBaseAllocation();
        if (set) {
            // SET replaces the earlier selection, even with nothing.
            baseAllocation = match;
        }
        log.debug("{} {}: base:allocation {}", set ? "SET_META_CONTEXT" : "LIST_META_CONTEXT",
                request.get().queries(), match ? "matched" : "not matched");
        if (match) {
            // LIST's ids are reserved and set to zero; SET's is the one BLOCK_STATUS replies carry.
            OptionReplies.writeMetaContext(out, option, set ? Nbd.BASE_ALLOCATION_ID : 0, Nbd.BASE_ALLOCATION);
        }
        OptionReplies.writeAck(out, option);
        return Next.HAGGLE;
    }

    /** The sender's token (8 bytes, not zero) in, what this server holds for it out. */
    private Next handover(int option, ByteBuf data, ByteBuf out) {
        if (data.readableBytes() != Long.BYTES || data.getLong(data.readerIndex()) == 0) {
            return invalid(out, option, "the handover option carries one token of 8 bytes, not zero; got "
                    + data.readableBytes() + " bytes");
        }
        var held = handoverTokens.offered(data.readLong());
        if (held.isEmpty()) {
            // As a server that does not know the option answers it.
            OptionReplies.writeError(out, option, Nbd.REP_ERR_UNSUP, "option " + option + " is not supported");
            return Next.HAGGLE;
        }
        OptionReplies.writeHandover(out, option, held.get());
        return Next.HAGGLE;
    }

    private static Next invalid(ByteBuf out, int option, String message) {
        OptionReplies.writeError(out, option, Nbd.REP_ERR_INVALID, message);
        return Next.HAGGLE;
    }
}
