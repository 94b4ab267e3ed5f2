package net.flexnbd.proxy;

import java.time.Duration;

/**
 * Delays between attempts to reach a lost upstream: the first at once, then 25 ms doubling to
 * a ceiling of 1 s. A handover leaves the source's address unanswered for a few milliseconds,
 * so the early tries are quick; a server that is down for longer is asked once a second.
 */
final class Backoff {
    static final Duration FIRST_DELAY = Duration.ofMillis(25);
    static final Duration CEILING = Duration.ofSeconds(1);

    private int failures;

    /** The delay before the next attempt; each call counts one more failed attempt. */
    Duration next() {
        Duration delay;
        if (failures == 0) {
            delay = Duration.ZERO;
        } else {
            long millis = FIRST_DELAY.toMillis() << Math.min(failures - 1, 20);
            delay = Duration.ofMillis(Math.min(millis, CEILING.toMillis()));
        }
        failures++;
        return delay;
    }

    /** The upstream worked again: the next loss starts from an immediate attempt. */
    void reset() {
        failures = 0;
    }
}
