package net.flexnbd.protocol;

import io.netty.util.ReferenceCounted;

/**
 * A reply the server sends in the transmission phase: a simple {@link Reply}, or a
 * {@link StructuredReply} to a client that negotiated structured replies. Handlers that
 * watch replies go by the cookie and need not care which.
 */
public sealed interface ServerReply extends ReferenceCounted permits Reply, StructuredReply {
    /** The request this answers. */
    long cookie();
}
