package net.flexnbd.proxy;

/**
 * What an upstream's handshake said about its export. Two upstreams serve the same disk to
 * the proxy's clients only when both values are the same.
 *
 * @param size  export size in bytes
 * @param flags the upstream's 16-bit transmission flags, as sent
 */
record UpstreamDisk(long size, int flags) {
    /** Why {@code other} is not this disk, or null when it is. */
    String differenceFrom(UpstreamDisk other) {
        if (size != other.size) {
            return "size " + other.size + " instead of " + size;
        }
        if (flags != other.flags) {
            return String.format("flags 0x%04x instead of 0x%04x", other.flags, flags);
        }
        return null;
    }
}
