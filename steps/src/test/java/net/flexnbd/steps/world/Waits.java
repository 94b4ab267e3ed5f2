package net.flexnbd.steps.world;

import java.time.Duration;

/**
 * How long the harness waits for things, generous because several test runs share two
 * cores: a wait ends as soon as its condition holds, so a long limit costs nothing when
 * all is well.
 */
public final class Waits {
    /** A server process or an in-process server answering its control socket. */
    public static final Duration SERVER_START = Duration.ofSeconds(60);
    /** A whole migration, retries included, once nothing stands in its way. */
    public static final Duration MIGRATION = Duration.ofSeconds(60);
    /** One event: a retry, a disconnection, a server exiting. */
    public static final Duration EVENT = Duration.ofSeconds(30);
    /** A short-lived flexnbd command. */
    public static final Duration COMMAND = Duration.ofSeconds(60);
    /** A client's wait for one reply; long enough to outlast a paused final pass. */
    public static final Duration CLIENT_REPLY = Duration.ofSeconds(30);

    private Waits() {}
}
