package net.flexnbd.protocol;

import io.netty.util.AttributeKey;

/**
 * Memory a connection may take for the WRITE payloads it receives. The {@link RequestDecoder}
 * asks before it gathers a payload; when the answer is no it stops reading the connection
 * until {@code whenGranted} runs. A server sets one per connection under {@link #KEY}; a
 * channel without one gathers payloads without asking.
 */
public interface PayloadAllowance {
    /** Where the decoder finds the connection's allowance. */
    AttributeKey<PayloadAllowance> KEY = AttributeKey.valueOf(PayloadAllowance.class, "payload-allowance");

    /**
     * Takes {@code bytes} for the payload of the WRITE with {@code cookie} and returns true,
     * or returns false and runs {@code whenGranted} (on any thread) once they have been
     * taken for it. Called on the channel's event loop.
     */
    boolean reserve(long cookie, int bytes, Runnable whenGranted);
}
