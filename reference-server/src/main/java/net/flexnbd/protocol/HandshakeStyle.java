package net.flexnbd.protocol;

/** Which hello a server sends. */
public enum HandshakeStyle {
    /** Fixed new-style negotiation: the default, what modern clients expect. */
    NEWSTYLE,
    /** The original flexnbd's 152-byte hello, for compatibility. */
    OLDSTYLE
}
