package net.flexnbd.storage;

/**
 * A run of bytes that are all data or all hole, as the file system reports it: what
 * base:allocation and a sparse READ are built from.
 *
 * @param offset where the run starts
 * @param length bytes in the run, positive
 * @param hole   true for a hole (reads as zeroes, takes no space)
 */
public record AllocationRun(long offset, long length, boolean hole) {
    public AllocationRun {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("allocation run at " + offset + " of " + length
                    + " bytes: offset must not be negative and length must be positive");
        }
    }

    /** The first byte after the run. */
    public long end() {
        return offset + length;
    }
}
