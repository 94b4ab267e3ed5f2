package net.flexnbd.steps.world;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import net.flexnbd.fixtures.faultproxy.Fault;
import net.flexnbd.fixtures.faultproxy.FaultBuilder;
import net.flexnbd.fixtures.faultproxy.FaultProxy;
import net.flexnbd.fixtures.faultproxy.Step;
import net.flexnbd.fixtures.toxiproxy.Direction;
import net.flexnbd.fixtures.toxiproxy.NetworkLink;
import net.flexnbd.fixtures.toxiproxy.ToxiproxyFixture;

/**
 * The network between the source and the destination in one scenario: by default a direct
 * connection; once the scenario asks for it, a Toxiproxy link that byte-level faults can be
 * put on, and a fault proxy for faults at a named protocol step (nearest the source, in
 * front of the Toxiproxy link if there is one). Both are reset after the scenario (also
 * after a failed one).
 */
public final class Network {
    private ToxiproxyFixture toxiproxy;
    private NetworkLink migrationLink;
    private FaultProxy faultProxy;
    private Fault lastProtocolFault;

    /** Puts a Toxiproxy link in front of {@code destination}; the source then migrates through it. */
    public NetworkLink linkTo(InetSocketAddress destination) {
        if (migrationLink != null) {
            throw new IllegalStateException("the migration link already runs through Toxiproxy: " + migrationLink);
        }
        if (faultProxy != null) {
            throw new IllegalStateException("put the migration link through Toxiproxy before placing a fault at a protocol step");
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

    public void suffer(net.flexnbd.fixtures.toxiproxy.Fault fault, Direction direction) {
        fault.apply(link(), direction);
    }

    /** Where the source connects to reach a destination at {@code destination}: the nearest proxy, if any. */
    public InetSocketAddress entry(InetSocketAddress destination) {
        if (faultProxy != null) {
            return faultProxy.address();
        }
        return migrationLink != null ? migrationLink.listenAddress() : destination;
    }

    /** The fault proxy on the migration link, started (in front of what the link leads to) on first use. */
    public FaultProxy faultProxy(InetSocketAddress destination) {
        if (faultProxy == null) {
            faultProxy = FaultProxy.start(migrationLink != null ? migrationLink.listenAddress() : destination);
        }
        return faultProxy;
    }

    public Optional<FaultProxy> faultProxy() {
        return Optional.ofNullable(faultProxy);
    }

    /** Places a fault at {@code step} of every migration connection (or of the first that gets there, {@code once}). */
    public Fault strikeAt(InetSocketAddress destination, Step step, boolean once,
            java.util.function.Function<FaultBuilder, Fault> action) {
        FaultBuilder at = faultProxy(destination).at(step);
        lastProtocolFault = action.apply(once ? at.once() : at);
        return lastProtocolFault;
    }

    /** The fault placed last at a protocol step. */
    public Fault lastProtocolFault() {
        if (lastProtocolFault == null) {
            throw new IllegalStateException("no fault was placed at a protocol step: use e.g. "
                    + "'Given the migration link is held before the DISCONNECT' first");
        }
        return lastProtocolFault;
    }

    /** Latency each way, and a bandwidth cap each way in bytes per second. */
    public void slow(Duration latency, long bytesPerSecond) {
        // Toxiproxy's bandwidth is in KB/s of 1000 bytes.
        long kilobytes = Math.max(1, bytesPerSecond / 1000);
        link().addLatency(latency, Direction.BOTH).limitBandwidth(kilobytes, Direction.BOTH);
    }

    /** Toxiproxy latency of {@code latency} each way {@code direction} says. */
    public void delay(Duration latency, Direction direction) {
        link().addLatency(latency, direction);
    }

    /** Closes each connection once {@code bytes} went the way {@code direction} says. */
    public void cutAfter(long bytes, Direction direction) {
        link().cutAfterBytes(bytes, direction);
    }

    /** Removes every fault (Toxiproxy's and the fault proxy's, releasing what it holds) and brings the link up. */
    public void heal() {
        if (migrationLink == null && faultProxy == null) {
            throw new IllegalStateException("the migration link has no faults to heal: it runs through neither Toxiproxy "
                    + "nor the fault proxy");
        }
        if (migrationLink != null) {
            migrationLink.clearFaults().enable();
        }
        if (faultProxy != null) {
            faultProxy.heal();
        }
    }

    /** Removes this scenario's links and their faults, if it made any. */
    public void reset() {
        if (faultProxy != null) {
            faultProxy.close();
            faultProxy = null;
            lastProtocolFault = null;
        }
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
