package net.flexnbd.server;

/**
 * The receiving end of a migration link hears of the handover through this. Only
 * connections accepted by a listening server have one.
 */
public interface HandoverListener {
    /**
     * ENTRUST arrived, carrying {@code token} in its offset field (0 from a sender that knows no
     * tokens); the reply is sent when this returns. Runs on a thread that may block (the
     * received data is forced to stable storage here); a failure answers EIO.
     */
    void entrusted(long token) throws java.io.IOException;

    /**
     * DISCONNECT followed a successful ENTRUST: this server now takes control. Runs on the
     * event loop and must not block.
     *
     * @return on a token-aware link, when to answer the DISCONNECT (the sender's proof that
     *         control moved: once the serving address has been tried, so that clients the
     *         sender lets go of then find it bound); empty when the sender expects no answer
     */
    java.util.Optional<java.util.concurrent.CompletionStage<Void>> disconnectedAfterEntrust();

    /** True when the link starts where an earlier one left off: entrusted, only DISCONNECT expected. */
    default boolean resumesEntrusted() {
        return false;
    }

    /** The link ended in any other way: the attempt is thrown away. */
    void abandoned(String reason);

    /** A write from the sender failed locally: this copy cannot be trusted any more. */
    void localFailure(String what);
}
