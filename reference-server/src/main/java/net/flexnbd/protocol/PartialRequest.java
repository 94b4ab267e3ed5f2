package net.flexnbd.protocol;

/**
 * The user event {@link RequestDecoder} fires when a read ends with part of a request
 * received and the rest not: a header cut short, a WRITE's payload still coming, or an
 * oversized payload still being skipped. The killswitch uses it to catch a client that
 * stops halfway through a request. A decoded {@link Request} means the partial one is whole.
 */
public enum PartialRequest {
    INSTANCE
}
