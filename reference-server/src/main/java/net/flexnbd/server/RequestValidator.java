package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import net.flexnbd.protocol.Request;

/**
 * Decides whether a transmission request may run, and with which errno it is refused:
 * unknown commands and flags, oversized lengths and ranges past the end of the export.
 * ENTRUST is refused here: on the migration link the {@link MigrationLinkHandler} takes it
 * before it reaches the dispatcher.
 */
final class RequestValidator {

    private final long exportSize;

    RequestValidator(long exportSize) {
        this.exportSize = exportSize;
    }

    /** Zero when the request may run, otherwise the errno to answer with. */
    int check(Request request) {
        int allowedFlags = switch (request.type()) {
            case CMD_READ, CMD_FLUSH, CMD_DISC -> 0;
            case CMD_WRITE, CMD_TRIM -> CMD_FLAG_FUA;
            case CMD_WRITE_ZEROES -> CMD_FLAG_FUA | CMD_FLAG_NO_HOLE;
            default -> -1;
        };
        if (allowedFlags < 0 || (request.flags() & ~allowedFlags) != 0) {
            return EINVAL;
        }
        return switch (request.type()) {
            case CMD_READ -> checkRange(request, true, EINVAL);
            case CMD_WRITE -> checkRange(request, true, ENOSPC);
            case CMD_TRIM -> checkRange(request, false, EINVAL);
            case CMD_WRITE_ZEROES -> checkRange(request, false, ENOSPC);
            default -> 0;
        };
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
