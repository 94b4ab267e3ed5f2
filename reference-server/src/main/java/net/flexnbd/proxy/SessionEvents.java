package net.flexnbd.proxy;

import java.util.List;
import net.flexnbd.protocol.ChunkFrame;
import net.flexnbd.protocol.Reply;

/** What a client's upstream link tells the client side; called on the session's event loop. */
interface SessionEvents {
    /** The upstream answered {@code pending}: pass {@code reply} (its payload included) to the client. */
    void answered(PendingRequests.Pending pending, Reply reply);

    /** The upstream answered {@code pending} in {@code chunks} (data owned, context ids mapped): pass them on, in order. */
    void answered(PendingRequests.Pending pending, List<ChunkFrame> chunks);

    /** {@code pending} gets {@code errno} without an upstream answer (it waited too long). */
    void failed(PendingRequests.Pending pending, int errno);

    /** Replies written since the last call may go out now. */
    void flushReplies();

    /**
     * The upstream came back serving another disk, or without what the client negotiated:
     * the client must go. {@code how} completes "came back ...".
     */
    void wrongDisk(String how);

    /** The link came up or went down, or requests left the waiting line. */
    void linkChanged();
}
