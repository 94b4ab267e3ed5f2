package net.flexnbd.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.time.Duration;
import net.flexnbd.fixtures.toxiproxy.Direction;
import net.flexnbd.fixtures.toxiproxy.Fault;
import net.flexnbd.steps.world.Migration;
import net.flexnbd.steps.world.Network;

/**
 * Network faults: the migration link through Toxiproxy, the faults put on it, and healing
 * it. Every link and fault is removed after the scenario, also after a failed one.
 */
public class NetworkSteps {
    private final Network network;
    private final Migration migration;

    public NetworkSteps(Network network, Migration migration) {
        this.network = network;
        this.migration = migration;
    }

    @Given("the migration link runs through Toxiproxy")
    public void theMigrationLinkRunsThroughToxiproxy() {
        network.linkTo(migration.destinationAddress());
    }

    @When("the migration link suffers {fault} {direction}")
    public void theMigrationLinkSuffers(Fault fault, Direction direction) {
        network.suffer(fault, direction);
        migration.markProgress();
    }

    @Given("the migration link is slowed to {size} per second with {duration} of latency")
    public void theMigrationLinkIsSlowed(long bytesPerSecond, Duration latency) {
        network.slow(latency, bytesPerSecond);
    }

    /** Measures the source's bytes through its ENTRUST first (see Migration#bytesThroughEntrust). */
    @Given("the migration link cuts the connection right after the source's ENTRUST")
    public void theMigrationLinkCutsRightAfterTheEntrust() throws IOException {
        network.cutAfter(migration.bytesThroughEntrust());
    }

    @When("the migration link is healed")
    public void theMigrationLinkIsHealed() {
        network.heal();
    }
}
