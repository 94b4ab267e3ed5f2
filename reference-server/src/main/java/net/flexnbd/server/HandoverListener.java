package net.flexnbd.server;

/**
 * The receiving end of a migration link hears of the handover through this. Only
 * connections accepted by a listening server have one.
 */
public interface HandoverListener {
    /**
     * ENTRUST arrived; the reply is sent when this returns. Runs on a thread that may block
     * (the received data is forced to stable storage here); a failure answers EIO.
     */
    void entrusted() throws java.io.IOException;

    /** DISCONNECT followed a successful ENTRUST: this server now takes control. */
    void disconnectedAfterEntrust();

    /** The link ended in any other way: the attempt is thrown away. */
    void abandoned(String reason);

    /** A write from the sender failed locally: this copy cannot be trusted any more. */
    void localFailure(String what);
}
