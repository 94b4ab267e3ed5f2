package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.Request;

/**
 * Decides whether a transmission request may run, and with which errno it is refused:
 * unknown commands and flags, oversized lengths, ranges past the end of the export, what
 * the client did not negotiate (DF without structured replies, BLOCK_STATUS without
 * base:allocation) and, on a read-only export, changes. ENTRUST is refused here: on the
 * migration link the {@link MigrationLinkHandler} takes it before it reaches the dispatcher.
 */
final class RequestValidator {

    private final long exportSize;
    private final Negotiation negotiation;
    private final boolean readOnly;

    /** For a client that negotiated nothing, on a writable export (the migration link). */
    RequestValidator(long exportSize) {
        this(exportSize, Negotiation.SIMPLE, false);
    }

    RequestValidator(long exportSize, Negotiation negotiation, boolean readOnly) {
        this.exportSize = exportSize;
        this.negotiation = negotiation;
        this.readOnly = readOnly;
    }

    /** Zero when the request may run, otherwise the errno to answer with. */
    int check(Request request) {
        int allowedFlags = switch (request.type()) {
            case CMD_READ -> negotiation.structuredReplies() ? CMD_FLAG_DF : 0;
            case CMD_FLUSH, CMD_DISC, CMD_CACHE -> 0;
            case CMD_WRITE, CMD_TRIM -> CMD_FLAG_FUA;
            case CMD_WRITE_ZEROES -> CMD_FLAG_FUA | CMD_FLAG_NO_HOLE | CMD_FLAG_FAST_ZERO;
            case CMD_BLOCK_STATUS -> negotiation.baseAllocation() ? CMD_FLAG_REQ_ONE : -1;
            default -> -1;
        };
        if (allowedFlags < 0 || (request.flags() & ~allowedFlags) != 0) {
            return EINVAL;
        }
        int errno = switch (request.type()) {
            case CMD_READ -> checkRange(request, true, EINVAL);
            case CMD_WRITE -> checkRange(request, true, ENOSPC);
            case CMD_TRIM, CMD_CACHE, CMD_BLOCK_STATUS -> checkRange(request, false, EINVAL);
            case CMD_WRITE_ZEROES -> checkRange(request, false, ENOSPC);
            default -> 0;
        };
        if (errno == 0 && readOnly && changesData(request.type())) {
            return EPERM;
        }
        return errno;
    }

    private static boolean changesData(int type) {
        return type == CMD_WRITE || type == CMD_TRIM || type == CMD_WRITE_ZEROES;
    }

    private int checkRange(Request request, boolean carriesData, int outOfRange) {
        long offset = request.offset();
        long length = request.length();
        if (length == 0 || (carriesData && length > MAX_PAYLOAD)) {
            return EINVAL;
        }
        // offset is unsigned on the wire: a negative long is beyond any export.
        if (offset < 0 || offset > exportSize || length > exportSize - offset) {
            return outOfRange;
        }
        return 0;
    }
}
