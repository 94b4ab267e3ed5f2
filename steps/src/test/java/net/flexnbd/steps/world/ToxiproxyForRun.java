package net.flexnbd.steps.world;

import net.flexnbd.fixtures.toxiproxy.ToxiproxyFixture;

/**
 * The one Toxiproxy server of a test run: started when a scenario first asks for a network
 * link (or found through {@code TOXIPROXY_URL}), shared by every scenario after it, and
 * stopped once all scenarios have run. Scenarios never see each other's proxies: each
 * scenario's links are removed after it.
 */
public final class ToxiproxyForRun {
    private static ToxiproxyFixture fixture;

    private ToxiproxyForRun() {}

    /** The run's Toxiproxy, started on first use. */
    public static synchronized ToxiproxyFixture get() {
        if (fixture == null) {
            fixture = ToxiproxyFixture.start();
        }
        return fixture;
    }

    /** Stops the server if one was started; the next {@link #get()} starts a new one. */
    public static synchronized void stop() {
        if (fixture != null) {
            try {
                fixture.close();
            } finally {
                fixture = null;
            }
        }
    }
}
