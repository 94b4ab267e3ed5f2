package net.flexnbd.migration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration's timeline at debug level, one line per step ("migration phase: ..."): when
 * each pass starts, when client I/O is paused and let go, and each step of the handover. A
 * slow client write can then be placed against what the migration was doing (bench/migrate.sh
 * does so); the line's own timestamp is the step's time.
 */
final class MigrationPhases {
    private static final Logger log = LoggerFactory.getLogger(MigrationPhases.class);

    private MigrationPhases() {}

    /** One step; {@code format} and {@code args} as for SLF4J. */
    static void step(String format, Object... args) {
        if (log.isDebugEnabled()) {
            log.debug("migration phase: " + format, args);
        }
    }
}
