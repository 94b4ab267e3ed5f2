package net.flexnbd.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.flexnbd.fixtures.server.FlexnbdCommand;
import net.flexnbd.steps.world.Migration;
import net.flexnbd.steps.world.MirrorFailure;
import net.flexnbd.steps.world.Servers;
import net.flexnbd.steps.world.Servers.Kind;

/**
 * Migration: asking the source to migrate (on its control socket or with the {@code mirror}
 * command), stopping it, lifting its bandwidth cap, and what the source answers and does.
 */
public class MigrationSteps {
    private final Migration migration;
    private final Servers servers;

    public MigrationSteps(Migration migration, Servers servers) {
        this.migration = migration;
        this.servers = servers;
    }

    @When("the source migrates to the destination")
    @StepNotes(waitsFor = "only the source's answer `0: Mirror started`",
            needs = "a source, and a destination (real, fake, or an address where nothing listens)")
    public void theSourceMigrates() {
        migration.start(migration.request(Optional.empty(), Optional.empty()));
    }

    @When("the source migrates to the destination from {address}")
    public void theSourceMigratesFrom(String address) throws UnknownHostException {
        migration.start(migration.request(Optional.of(InetAddress.getByName(address)), Optional.empty()));
    }

    @When("the source starts migrating to the destination at {size} per second")
    @StepNotes(waitsFor = "only the source's answer `0: Mirror started`", needs = "a source and a destination")
    public void theSourceStartsMigratingAt(long bytesPerSecond) {
        migration.start(migration.request(Optional.empty(), Optional.of(bytesPerSecond)));
    }

    @When("a source serving the disk migrates to the destination")
    public void aSourceServingTheDiskMigrates() {
        servers.serve(Kind.IN_PROCESS, List.of());
        theSourceMigrates();
    }

    @When("the source is asked to migrate to the destination")
    @StepNotes(waitsFor = "the source's answer, whatever it is", needs = "a source and a destination")
    public void theSourceIsAskedToMigrate() {
        migration.ask(migration.request(Optional.empty(), Optional.empty()));
    }

    @Then("the source reports that the destination {mirrorFailure}")
    public void theSourceReports(MirrorFailure failure) {
        assertThat(migration.lastReply().code()).as("answer %s", migration.lastReply()).isEqualTo(failure.code());
    }

    @Then("the migration completes")
    @StepNotes(waitsFor = "the source gone and the destination in control (migration deadline, 60 s)",
            needs = "a migration started ('When the source migrates to the destination')")
    public void theMigrationCompletes() {
        migration.awaitCompleted();
    }

    @When("the migration is stopped")
    @StepNotes(waitsFor = "the source's answer to `break`",
            needs = "a migration started",
            notAfter = "the handover (a committed handover cannot be stopped)")
    public void theMigrationIsStopped() {
        migration.stop();
    }

    @When("the migration runs at full speed")
    @StepNotes(needs = "a migration started with a cap ('... at 1 MiB per second')")
    public void theMigrationRunsAtFullSpeed() {
        migration.fullSpeed();
    }

    @When("the migration reaches its final pass")
    @StepNotes(waitsFor = "the source migrating with client I/O paused (event, 30 s; polled every 5 ms)",
            needs = "a migration started; a final pass that lasts (a hold before the ENTRUST, or a cap)")
    public void theMigrationReachesItsFinalPass() {
        migration.awaitFinalPass();
    }

    /** Seen on the link: needs the fault proxy on it. */
    @When("the migration reaches its handover")
    @StepNotes(waitsFor = "the source's ENTRUST on the link (migration deadline, 60 s)",
            needs = "'Given the migration link runs through the fault proxy' (or a protocol-step fault) before the migration starts")
    public void theMigrationReachesItsHandover() {
        migration.awaitHandover();
    }

    @When("the migration is under way")
    @StepNotes(waitsFor = "the source to have sent part of the disk (event, 30 s)", needs = "a migration started")
    public void theMigrationIsUnderWay() {
        migration.awaitUnderWay();
    }

    @Then("the source keeps migrating through the fault")
    @StepNotes(waitsFor = "1 MiB more sent, or another attempt, since the fault was put on (event, 30 s)",
            needs = "'When the migration link suffers ...' during a migration")
    public void theSourceKeepsMigratingThroughTheFault() {
        migration.awaitTrafficSinceMark(1 << 20);
    }

    @Then("the source retries the migration")
    @StepNotes(waitsFor = "a second attempt in the source's status (event, 30 s)", needs = "a migration started")
    public void theSourceRetries() {
        migration.awaitRetrying();
    }

    // ---- the mirror command and raw control requests -----------------------------------

    @When("the operator runs mirror for the source")
    @StepNotes(waitsFor = "the command to end (command deadline, 60 s)", needs = "a source and a destination")
    public void theOperatorRunsMirror() {
        migration.runMirrorCommand(Optional.empty());
    }

    @When("the operator runs mirror for the source without {word}")
    public void theOperatorRunsMirrorWithout(String option) {
        migration.runMirrorCommand(Optional.of(option));
    }

    @Then("the command succeeds saying {string}")
    public void theCommandSucceeds(String message) {
        FlexnbdCommand.Result result = migration.lastCommand();
        assertThat(result.exitStatus()).as("%s", result).isZero();
        assertThat(result.stdout().strip()).as("%s", result).isEqualTo(message);
    }

    @Then("the command fails with status {int} and one line naming {word}")
    public void theCommandFails(int status, String option) {
        FlexnbdCommand.Result result = migration.lastCommand();
        assertThat(result.exitStatus()).as("%s", result).isEqualTo(status);
        assertThat(result.stderrLines()).as("%s", result).singleElement().asString().contains(option);
    }

    @When("the source's control socket gets a mirror request with the lines {string}")
    public void aRawMirrorRequest(String lines) {
        migration.askRaw(lines.isBlank() ? List.of() : Arrays.stream(lines.split(",")).map(String::strip).toList());
    }

    @Then("the request is answered with code {int}")
    public void theRequestIsAnsweredWith(int code) {
        assertThat(migration.lastReply().code()).as("answer %s", migration.lastReply()).isEqualTo(code);
    }
}
