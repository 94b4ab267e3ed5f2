package net.flexnbd.migration;

import net.flexnbd.migration.MirrorRequest.AfterHandover;

/**
 * What the source's server does at each step of a committed handover, in this order. The
 * migration calls each at most once, from its own thread.
 */
public interface SourceHandover {
    /**
     * The ENTRUST reply is in: stop being in control and close the listening socket, so that
     * the destination can bind the same address at once and a reconnecting client never
     * reaches this server again.
     */
    void releaseAddress();

    /**
     * DISCONNECT has been sent: close every client connection. A request held in the final
     * pass (never run) gets no reply; its client sends it again to the new server.
     */
    void dropClients();

    /** The destination confirmed that it took control (or, knowing no tokens, closed the link). */
    void completed(AfterHandover action);
}
