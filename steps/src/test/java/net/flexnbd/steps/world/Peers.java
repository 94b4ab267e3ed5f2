package net.flexnbd.steps.world;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.flexnbd.fixtures.FreePort;
import net.flexnbd.fixtures.peers.DestinationFault;
import net.flexnbd.fixtures.peers.FakeDestination;
import net.flexnbd.fixtures.peers.FakeSource;
import net.flexnbd.fixtures.peers.SourceStep;

/**
 * The scripted fake peers of one scenario: a fake destination that misbehaves at an exact
 * protocol step, and fake sources that crash at one. Closed after the scenario.
 */
public final class Peers {
    private FakeDestination destination;
    private InetSocketAddress nowhere;
    private final List<FakeSource> sources = new ArrayList<>();

    /** Starts a fake destination for a disk of {@code size} bytes that misbehaves as {@code fault} says. */
    public FakeDestination startDestination(DestinationFault fault, long size) throws IOException {
        if (destination != null) {
            throw new IllegalStateException("this scenario already has a fake destination: " + destination);
        }
        destination = FakeDestination.start(fault.script(size));
        return destination;
    }

    public Optional<FakeDestination> destination() {
        return Optional.ofNullable(destination);
    }

    /** A loopback address where nothing listens (a port that was free a moment ago), to send a source nowhere. */
    public InetSocketAddress nowhere() {
        if (nowhere == null) {
            nowhere = FreePort.loopback();
        }
        return nowhere;
    }

    /** The address {@link #nowhere()} picked, if a step asked for one. */
    public Optional<InetSocketAddress> absentDestination() {
        return Optional.ofNullable(nowhere);
    }

    /** A fake source migrates {@code file} to {@code target} until {@code step}, then crashes as {@code crash} says. */
    public void crashSource(InetSocketAddress target, Path file, SourceStep step, FakeSource.Crash crash)
            throws IOException {
        FakeSource source = FakeSource.to(target);
        sources.add(source);
        source.migrateAndCrash(file, step, crash);
    }

    /** What the fake destination found wrong in what it received. */
    public List<String> problems() {
        return destination == null ? List.of() : destination.problems();
    }

    public void closeAll() throws IOException {
        for (FakeSource source : sources) {
            source.close();
        }
        sources.clear();
        if (destination != null) {
            destination.close();
            destination = null;
        }
    }
}
