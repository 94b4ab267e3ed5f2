package net.flexnbd.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import net.flexnbd.steps.world.CapturedLog;
import net.flexnbd.steps.world.Disks;
import net.flexnbd.steps.world.Migration;
import net.flexnbd.steps.world.Role;
import net.flexnbd.steps.world.Servers;
import net.flexnbd.steps.world.Servers.Kind;
import net.flexnbd.steps.world.Waits;

/**
 * Servers: starting sources and destinations (in this JVM, or as processes that can be
 * killed), their access lists, what they say about themselves, and killing them.
 */
public class ServerSteps {
    private final Servers servers;
    private final Disks disks;
    private final Migration migration;
    private final CapturedLog log;

    public ServerSteps(Servers servers, Disks disks, Migration migration, CapturedLog log) {
        this.servers = servers;
        this.disks = disks;
        this.migration = migration;
        this.log = log;
    }

    @Given("migration links time out after {duration}")
    @StepNotes(notAfter = "any step that starts a server (it applies to servers started after it)")
    public void migrationLinksTimeOutAfter(Duration timeout) {
        servers.linkTimeout(timeout);
    }

    @Given("a {role} serving a {size} disk written with pattern {pattern}")
    public void aServerServingADisk(Role role, long size, String pattern) {
        requireSource(role);
        disks.create(size, pattern);
        servers.serve(Kind.IN_PROCESS, List.of());
    }

    @Given("a {role} serving a {size} disk written with pattern {pattern} to clients from {address} only")
    public void aServerWithAnAccessList(Role role, long size, String pattern, String address) {
        requireSource(role);
        disks.create(size, pattern);
        servers.serve(Kind.IN_PROCESS, List.of(address));
    }

    private static void requireSource(Role role) {
        if (role != Role.SOURCE) {
            throw new IllegalArgumentException("only a source (or server) serves a disk from the start; a destination listens");
        }
    }

    @Given("a source serving it")
    public void aSourceServingIt() {
        servers.serve(Kind.IN_PROCESS, List.of());
    }

    @Given("a source process serving it")
    public void aSourceProcessServingIt() {
        servers.serve(Kind.PROCESS, List.of());
    }

    @Given("a destination listening for it")
    public void aDestinationListeningForIt() {
        servers.listen(Kind.IN_PROCESS, UnaryOperator.identity());
    }

    @Given("a destination process listening for it")
    public void aDestinationProcessListeningForIt() {
        servers.listen(Kind.PROCESS, UnaryOperator.identity());
    }

    @Given("a destination listening for it that accepts migrations from {address} only")
    public void aDestinationWithAnAccessList(String address) {
        servers.listen(Kind.IN_PROCESS, spec -> spec.acl(address));
    }

    @Given("another program holding an address")
    public void anotherProgramHoldingAnAddress() {
        servers.holdAnAddress();
    }

    @Given("a destination listening for it that will serve at that address")
    public void aDestinationThatWillServeAtThatAddress() {
        servers.listen(Kind.IN_PROCESS, spec -> spec.rebind(servers.heldAddress()));
    }

    @When("the other program lets go of the address")
    public void theOtherProgramLetsGo() throws IOException {
        servers.releaseHeldAddress();
    }

    @When("the {role}'s access list is replaced by {address}")
    public void theAccessListIsReplaced(Role role, String address) throws IOException {
        assertThat(servers.get(role).control().acl(List.of(address)).ok()).as("acl %s accepted", address).isTrue();
    }

    @When("the {role} process is killed")
    @StepNotes(waitsFor = "the process to be gone (event, 30 s), and for a killed source, the destination to let its sender go",
            needs = "a process ('a source process serving it', 'a destination process listening for it')")
    public void theProcessIsKilled(Role role) {
        servers.kill(role);
        if (role == Role.SOURCE && servers.find(Role.DESTINATION).isPresent()) {
            migration.awaitSenderGone();
        }
    }

    @When("the {role} process is paused")
    @StepNotes(waitsFor = "every thread of the process to be stopped (signal, 10 s)", needs = "a process")
    public void theProcessIsPaused(Role role) {
        servers.pause(role);
    }

    /** The scenario goes on at once; the process resumes by itself after the duration. */
    @When("the {role} process is paused for {duration}")
    @StepNotes(waitsFor = "every thread stopped; the resume comes by itself later", needs = "a process")
    public void theProcessIsPausedFor(Role role, Duration duration) {
        servers.pauseFor(role, duration);
    }

    @When("the {role} process is resumed")
    @StepNotes(waitsFor = "no thread of the process stopped (signal, 10 s)", needs = "'When the ... process is paused'")
    public void theProcessIsResumed(Role role) {
        servers.resume(role);
    }

    @When("the {role} process has been resumed")
    @StepNotes(waitsFor = "the planned resume to have happened (event, 30 s)",
            needs = "'When the ... process is paused for ...'")
    public void theProcessHasBeenResumed(Role role) {
        servers.awaitResumed(role);
    }

    @When("the source process is started again on its disk")
    public void theSourceProcessIsStartedAgain() {
        servers.serveAgain(Kind.PROCESS);
    }

    @When("a new destination process listens at the same address")
    public void aNewDestinationProcessListensAtTheSameAddress() {
        servers.listenAgain(Kind.PROCESS);
    }

    @Then("the source exits with status {int}")
    @StepNotes(waitsFor = "the source to exit (migration deadline, 60 s)")
    public void theSourceExitsWithStatus(int status) {
        assertThat(servers.get(Role.SOURCE).awaitExit(Waits.MIGRATION)).as("exit status of the source").isEqualTo(status);
    }

    /** Waits for it: a migration that failed or was stopped may take a moment to wind down. */
    @Then("the source is in control and not migrating")
    @StepNotes(waitsFor = "has_control, not mirroring, clients allowed (event, 30 s)")
    public void theSourceIsInControlAndNotMigrating() {
        migration.awaitSourceInCharge();
    }

    /** Waits for it: in control of its file and letting clients in (it may still be migrating). */
    @Then("the {role} is in control")
    @StepNotes(waitsFor = "has_control and clients allowed, migrating or not (event, 30 s)")
    public void isInControl(Role role) {
        migration.awaitInControl(role);
    }

    @Then("the {role} is not in control")
    @StepNotes(waitsFor = "nothing: it checks the status once")
    public void isNotInControl(Role role) {
        assertThat(servers.status(role).inControl()).as("the %s in control: %s", role.word(), servers.status(role)).isFalse();
    }

    @Then("the destination takes control and serves at that address")
    @StepNotes(waitsFor = "has_control, then clients accepted at the address (event, 30 s each)",
            needs = "'Given a destination listening for it that will serve at that address'")
    public void theDestinationTakesControlAndServesAtThatAddress() {
        migration.awaitDestinationServingAt(servers.heldAddress());
    }

    @StepNotes(waitsFor = "a line event=NAME in its log (event, 30 s)",
            needs = "a server that logs the events of docs/protocol.md (tag the scenario @events)")
    @Then("the {role} logs the event {word}")
    public void theServerLogsTheEvent(Role role, String name) {
        servers.awaitEvent(role, name, log);
    }

    @Then("the {role} logs {string}")
    @StepNotes(waitsFor = "the text in its log (event, 30 s); servers in this JVM share one log")
    public void theServerLogs(Role role, String text) {
        servers.awaitLog(role, text, log);
    }
}
