package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;

import net.flexnbd.protocol.Errno;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.ServerReply;
import net.flexnbd.protocol.StructuredReply;

/**
 * The error reply to a request: an ERROR chunk for READ and BLOCK_STATUS when the client
 * negotiated structured replies (their answers are chunks), a simple reply otherwise.
 */
final class ErrorReplies {
    private ErrorReplies() {}

    static ServerReply of(Request request, int errno, boolean structured) {
        if (structured && (request.type() == CMD_READ || request.type() == CMD_BLOCK_STATUS)) {
            return StructuredReply.error(request.cookie(), errno, RequestExecutor.commandName(request.type())
                    + " of " + request.length() + " bytes at offset " + Long.toUnsignedString(request.offset())
                    + ": " + Errno.describe(errno));
        }
        return Reply.error(request.cookie(), errno);
    }
}
