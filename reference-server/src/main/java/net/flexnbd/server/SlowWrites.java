package net.flexnbd.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At debug level, says where a slow burst of plain writes spent its time: waiting for a
 * storage thread (the lane behind other work, or no CPU for the worker), or in the store
 * call itself (the kernel: page-cache allocation, dirty-page throttling, the disk). Used to
 * place the tail of client write latency during a migration (bench/migrate.sh reads it).
 */
final class SlowWrites {
    private static final Logger log = LoggerFactory.getLogger(SlowWrites.class);
    /** A burst that took at least this long, from hand-off to its end, is logged. */
    static final long SLOW_NANOS = 20_000_000L;

    private SlowWrites() {}

    /** The burst of {@code writes} was handed off, started and ended at these {@link System#nanoTime()}s. */
    static void check(int writes, long handedOffNanos, long startedNanos, long endedNanos) {
        if (endedNanos - handedOffNanos >= SLOW_NANOS && log.isDebugEnabled()) {
            log.debug("slow plain writes: {} request(s), {} ms waiting for a storage thread, {} ms in the store",
                    writes, (startedNanos - handedOffNanos) / 1_000_000, (endedNanos - startedNanos) / 1_000_000);
        }
    }
}
