package net.flexnbd.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.When;
import java.time.Duration;
import net.flexnbd.fixtures.faultproxy.FaultBuilder;
import net.flexnbd.fixtures.faultproxy.Step;
import net.flexnbd.fixtures.toxiproxy.Direction;
import net.flexnbd.fixtures.toxiproxy.Fault;
import net.flexnbd.steps.world.LinkFault;
import net.flexnbd.steps.world.Migration;
import net.flexnbd.steps.world.Network;
import net.flexnbd.steps.world.Waits;

/**
 * Network faults: the migration link through Toxiproxy and the byte-level faults put on it,
 * faults at a named protocol step (the fault proxy), and healing it. Every link and fault is
 * removed after the scenario, also after a failed one.
 */
public class NetworkSteps {
    private final Network network;
    private final Migration migration;

    public NetworkSteps(Network network, Migration migration) {
        this.network = network;
        this.migration = migration;
    }

    @Given("the migration link runs through Toxiproxy")
    @StepNotes(needs = "a destination (real or fake)",
            notAfter = "a fault at a protocol step (say Toxiproxy first, the fault proxy goes in front of it)")
    public void theMigrationLinkRunsThroughToxiproxy() {
        network.linkTo(migration.destinationAddress());
    }

    @When("the migration link suffers {fault} {direction}")
    @StepNotes(needs = "'Given the migration link runs through Toxiproxy'")
    public void theMigrationLinkSuffers(Fault fault, Direction direction) {
        network.suffer(fault, direction);
        migration.markProgress();
    }

    @When("the migration link suffers {duration} of latency {direction}")
    @StepNotes(needs = "'Given the migration link runs through Toxiproxy'")
    public void theMigrationLinkSuffersLatency(Duration latency, Direction direction) {
        network.delay(latency, direction);
        migration.markProgress();
    }

    /** Toxiproxy's limit_data with an amount: each connection is closed once that much went that way. */
    @When("the migration link is closed after {size} {direction}")
    @StepNotes(needs = "'Given the migration link runs through Toxiproxy'")
    public void theMigrationLinkIsClosedAfter(long bytes, Direction direction) {
        network.cutAfter(bytes, direction);
        migration.markProgress();
    }

    /** With no fault yet: lets steps watch the protocol on the link (the handover). */
    @Given("the migration link runs through the fault proxy")
    @StepNotes(needs = "a destination", notAfter = "the start of the migration it is to watch")
    public void theMigrationLinkRunsThroughTheFaultProxy() {
        network.faultProxy(migration.destinationAddress());
    }

    @Given("the migration link is slowed to {size} per second with {duration} of latency")
    @StepNotes(needs = "'Given the migration link runs through Toxiproxy'")
    public void theMigrationLinkIsSlowed(long bytesPerSecond, Duration latency) {
        network.slow(latency, bytesPerSecond);
    }

    /** Every migration connection that reaches the step, until healed. */
    @Given("the migration link is {linkFault} {protocolStep}")
    @StepNotes(needs = "a destination", notAfter = "the start of the migration it is to strike")
    public void theMigrationLinkIsFaultedAt(LinkFault fault, Step step) {
        network.strikeAt(migration.destinationAddress(), step, false, fault::place);
    }

    /** Only the first migration connection that reaches the step; later attempts pass. */
    @Given("the migration link is {linkFault} once, {protocolStep}")
    @StepNotes(needs = "a destination", notAfter = "the start of the migration it is to strike")
    public void theMigrationLinkIsFaultedOnceAt(LinkFault fault, Step step) {
        network.strikeAt(migration.destinationAddress(), step, true, fault::place);
    }

    @Given("the migration link is delayed by {duration} {protocolStep}")
    @StepNotes(needs = "a destination", notAfter = "the start of the migration it is to strike")
    public void theMigrationLinkIsDelayedAt(Duration delay, Step step) {
        network.strikeAt(migration.destinationAddress(), step, false, at -> at.delay(delay));
    }

    /** The source's later messages (a DISCONNECT) are swallowed; its close still reaches the destination. */
    @Given("the migration link drops everything the source sends {protocolStep}")
    @StepNotes(needs = "a destination", notAfter = "the start of the migration it is to strike")
    public void theMigrationLinkDropsWhatTheSourceSendsAt(Step step) {
        network.strikeAt(migration.destinationAddress(), step, false, FaultBuilder::dropClientToServer);
    }

    /** Waits until the fault placed last at a protocol step has struck a connection. */
    @When("the migration link's fault has struck")
    @StepNotes(waitsFor = "the last protocol-step fault to strike a connection (event, 30 s)",
            needs = "a protocol-step fault, and a migration started")
    public void theFaultHasStruck() {
        network.lastProtocolFault().awaitStruck(Waits.EVENT);
    }

    /**
     * Lets a held link go on with what it kept back; the fault stays for later connections.
     * It waits for the hold to strike first: the final pass shows in the source's status before
     * its ENTRUST reaches the proxy, and a release before that would free nothing.
     */
    @When("the held migration link is released")
    @StepNotes(waitsFor = "the hold to strike a connection, if it has not yet (event, 30 s)",
            needs = "'Given the migration link is held ...'")
    public void theHeldMigrationLinkIsReleased() {
        var hold = network.lastProtocolFault();
        hold.awaitStruck(Waits.EVENT);
        hold.release();
    }

    @When("the migration link is healed")
    @StepNotes(needs = "a Toxiproxy link or a protocol-step fault")
    public void theMigrationLinkIsHealed() {
        network.heal();
    }
}
