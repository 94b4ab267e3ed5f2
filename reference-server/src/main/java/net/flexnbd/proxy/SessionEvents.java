package net.flexnbd.proxy;

import net.flexnbd.protocol.Reply;

/** What a client's upstream link tells the client side; called on the session's event loop. */
interface SessionEvents {
    /** The upstream answered {@code pending}: pass {@code reply} (its payload included) to the client. */
    void answered(PendingRequests.Pending pending, Reply reply);

    /** {@code pending} gets {@code errno} without an upstream answer (it waited too long). */
    void failed(PendingRequests.Pending pending, int errno);

    /** Replies written since the last call may go out now. */
    void flushReplies();

    /** The upstream came back serving another disk: the client must go. */
    void wrongDisk(String difference);

    /** The link came up or went down, or requests left the waiting line. */
    void linkChanged();
}
