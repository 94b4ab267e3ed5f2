package net.flexnbd.steps.world;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import net.flexnbd.fixtures.toxiproxy.Direction;
import net.flexnbd.fixtures.toxiproxy.Fault;
import net.flexnbd.fixtures.toxiproxy.NetworkLink;
import net.flexnbd.fixtures.toxiproxy.ToxiproxyFixture;

/**
 * The network between the source and the destination in one scenario: by default a direct
 * connection; once the scenario asks for it, a Toxiproxy link that faults can be put on,
 * reset after the scenario (also after a failed one).
 */
public final class Network {
    private ToxiproxyFixture toxiproxy;
    private NetworkLink migrationLink;

    /** Puts a Toxiproxy link in front of {@code destination}; the source then migrates through it. */
    public NetworkLink linkTo(InetSocketAddress destination) {
        if (migrationLink != null) {
            throw new IllegalStateException("the migration link already runs through Toxiproxy: " + migrationLink);
        }
        toxiproxy = ToxiproxyForRun.get();
        migrationLink = toxiproxy.createProxy("migration", destination);
        return migrationLink;
    }

    public Optional<NetworkLink> migrationLink() {
        return Optional.ofNullable(migrationLink);
    }

    private NetworkLink link() {
        if (migrationLink == null) {
            throw new IllegalStateException("the migration link does not run through Toxiproxy: "
                    + "add 'Given the migration link runs through Toxiproxy' first");
        }
        return migrationLink;
    }

    public void suffer(Fault fault, Direction direction) {
        fault.apply(link(), direction);
    }

    /** Latency each way, and a bandwidth cap each way in bytes per second. */
    public void slow(Duration latency, long bytesPerSecond) {
        // Toxiproxy's bandwidth is in KB/s of 1000 bytes.
        long kilobytes = Math.max(1, bytesPerSecond / 1000);
        link().addLatency(latency, Direction.BOTH).limitBandwidth(kilobytes, Direction.BOTH);
    }

    /** Closes each connection once {@code bytes} bytes went from the source to the destination. */
    public void cutAfter(long bytes) {
        link().cutAfterBytes(bytes, Direction.UPSTREAM);
    }

    /** Removes every fault and brings the link up if it was down. */
    public void heal() {
        link().clearFaults().enable();
    }

    /** Removes this scenario's links and their faults, if it made any. */
    public void reset() {
        if (toxiproxy != null) {
            migrationLink = null;
            toxiproxy.resetAll();
        }
    }

    /** The Toxiproxy server's own log, if this scenario used one that this run started. */
    public Optional<String> toxiproxyLog() {
        return toxiproxy == null || !toxiproxy.ownsServer() ? Optional.empty() : Optional.of(toxiproxy.serverLog());
    }
}
