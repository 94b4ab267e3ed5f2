package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NBD_OPT_STRUCTURED_REPLY and the metadata context options, and what they agreed: whether
 * replies may be structured and whether {@code base:allocation} is selected, and for which
 * export (a selection counts only for the export the client then picks, as in qemu-nbd).
 */
final class ContextAnswers {
    private static final Logger log = LoggerFactory.getLogger(ContextAnswers.class);

    private final ExportCatalogue exports;
    /** Whether base:allocation exists here (a proxy whose upstream lacks it has none). */
    private final boolean baseAllocationOffered;
    private boolean structuredReplies;
    private boolean baseAllocation;
    /** The export the last SET_META_CONTEXT named, as the catalogue knows it. */
    private String selectedFor = "";

    ContextAnswers(ExportCatalogue exports, boolean baseAllocationOffered) {
        this.exports = exports;
        this.baseAllocationOffered = baseAllocationOffered;
    }

    /** What was agreed, for a client that picks the export named {@code exportName}. */
    Negotiation negotiation(String exportName) {
        return new Negotiation(structuredReplies, baseAllocation && selectedFor.equals(exportName));
    }

    OptionResponder.Next structuredReply(int option, ByteBuf data, ByteBuf out) {
        if (data.isReadable()) {
            return OptionResponder.invalid(out, option, "NBD_OPT_STRUCTURED_REPLY takes no data");
        }
        if (structuredReplies) {
            // As qemu-nbd does: the second request is refused, the first one stands.
            return OptionResponder.invalid(out, option, "structured replies are already negotiated");
        }
        structuredReplies = true;
        OptionReplies.writeAck(out, option);
        return OptionResponder.Next.HAGGLE;
    }

    /** NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT; only base:allocation exists. */
    OptionResponder.Next metaContext(int option, ByteBuf data, ByteBuf out) {
        boolean set = option == Nbd.OPT_SET_META_CONTEXT;
        if (!structuredReplies) {
            return OptionResponder.invalid(out, option, "negotiate NBD_OPT_STRUCTURED_REPLY before metadata contexts");
        }
        var request = MetaContextRequest.parse(data);
        if (request.isEmpty()) {
            return OptionResponder.invalid(out, option, "malformed metadata context request");
        }
        var export = exports.find(request.get().exportName());
        if (export.isEmpty()) {
            OptionReplies.writeError(out, option, Nbd.REP_ERR_UNKNOWN,
                    "no export named '" + Utf8.truncate(request.get().exportName(), 256) + "'");
            return OptionResponder.Next.HAGGLE;
        }
        boolean match = baseAllocationOffered
                && (set ? request.get().selectsBaseAllocation() : request.get().listsBaseAllocation());
        if (set) {
            // SET replaces the earlier selection, even with nothing.
            baseAllocation = match;
            selectedFor = export.get().name();
        }
        log.debug("{} {}: base:allocation {}", set ? "SET_META_CONTEXT" : "LIST_META_CONTEXT",
                request.get().queries(), match ? "matched" : "not matched");
        if (match) {
            // LIST's ids are reserved and set to zero; SET's is the one BLOCK_STATUS replies carry.
            OptionReplies.writeMetaContext(out, option, set ? Nbd.BASE_ALLOCATION_ID : 0, Nbd.BASE_ALLOCATION);
        }
        OptionReplies.writeAck(out, option);
        return OptionResponder.Next.HAGGLE;
    }
}
