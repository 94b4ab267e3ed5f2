package net.flexnbd.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.When;
import java.io.IOException;
import net.flexnbd.fixtures.peers.DestinationFault;
import net.flexnbd.fixtures.peers.FakeSource;
import net.flexnbd.fixtures.peers.SourceStep;
import net.flexnbd.steps.world.Disks;
import net.flexnbd.steps.world.Migration;
import net.flexnbd.steps.world.Peers;
import net.flexnbd.steps.world.Role;
import net.flexnbd.steps.world.Servers;

/**
 * Fake peers, for failures that must land at an exact protocol step: a fake destination that
 * misbehaves as told, a fake source that crashes at a given point, and a destination address
 * where nothing listens.
 */
public class PeerSteps {
    private final Peers peers;
    private final Disks disks;
    private final Migration migration;
    private final Servers servers;

    public PeerSteps(Peers peers, Disks disks, Migration migration, Servers servers) {
        this.peers = peers;
        this.disks = disks;
        this.migration = migration;
        this.servers = servers;
    }

    @Given("a fake destination that {destinationFault}")
    public void aFakeDestination(DestinationFault fault) throws IOException {
        peers.startDestination(fault, disks.disk().size());
    }

    @Given("a destination address where nothing listens")
    public void aDestinationAddressWhereNothingListens() {
        peers.nowhere();
    }

    /** Returns once the destination server, if there is one, has noticed that the sender is gone. */
    @When("a source migrating the disk crashes {sourceStep} with a {crash}")
    public void aSourceCrashes(SourceStep step, FakeSource.Crash crash) throws IOException {
        peers.crashSource(migration.target(), disks.disk().path(), step, crash);
        if (servers.find(Role.DESTINATION).isPresent()) {
            migration.awaitSenderGone();
        }
    }
}
