package net.flexnbd.steps.world;

import java.time.Duration;
import net.flexnbd.fixtures.Deadlines;

/**
 * How long the harness waits for things, generous because several test runs share two
 * cores: a wait ends as soon as its condition holds, so a long limit costs nothing when
 * all is well. Each is multiplied by {@link Deadlines#scale()} ({@code FLEXNBD_DEADLINE_SCALE});
 * docs/writing-scenarios.md lists them.
 */
public final class Waits {
    /** A server process or an in-process server answering its control socket. */
    public static final Duration SERVER_START = Deadlines.scaled(Duration.ofSeconds(60));
    /** A whole migration, retries included, once nothing stands in its way. */
    public static final Duration MIGRATION = Deadlines.scaled(Duration.ofSeconds(60));
    /** One event: a retry, a disconnection, a server exiting, a fault striking. */
    public static final Duration EVENT = Deadlines.scaled(Duration.ofSeconds(30));
    /** A short-lived flexnbd command. */
    public static final Duration COMMAND = Deadlines.scaled(Duration.ofSeconds(60));
    /** A client's wait for one reply; long enough to outlast a paused final pass. */
    public static final Duration CLIENT_REPLY = Deadlines.scaled(Duration.ofSeconds(30));

    private Waits() {}
}
