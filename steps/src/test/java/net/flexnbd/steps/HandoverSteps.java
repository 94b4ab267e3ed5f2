package net.flexnbd.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import net.flexnbd.fixtures.server.MirrorAction;
import net.flexnbd.fixtures.server.ServerHandle;
import net.flexnbd.fixtures.server.ServerStatus;
import net.flexnbd.steps.world.Eventually;
import net.flexnbd.steps.world.Migration;
import net.flexnbd.steps.world.Role;
import net.flexnbd.steps.world.Servers;
import net.flexnbd.steps.world.Waits;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;

/**
 * The handover window: a source that deletes its file after the migration, who is in control
 * while the handover finishes, and what each server's {@code status} says meanwhile.
 */
public class HandoverSteps {
    private final Migration migration;
    private final Servers servers;

    public HandoverSteps(Migration migration, Servers servers) {
        this.migration = migration;
        this.servers = servers;
    }

    @When("the source migrates to the destination and then deletes its file")
    public void theSourceMigratesAndUnlinks() {
        migration.start(migration.request(Optional.empty(), Optional.empty()).withAction(MirrorAction.UNLINK));
    }

    /**
     * Watches both servers until the source is gone and the destination in control: never
     * both in control at once, and the source's file never gone while the destination is not.
     */
    @Then("exactly one server is in control at every moment until the destination has it")
    public void exactlyOneServerIsInControl() {
        ServerHandle source = servers.get(Role.SOURCE);
        Path sourceFile = source.file();
        Eventually.await("the source gone and the destination in control, never both, the file kept until then",
                Waits.MIGRATION, () -> {
                    // The file first: once the destination has control it keeps it, so a file found
                    // gone before a status that says "in control" was gone only after control moved.
                    boolean fileGone = !Files.exists(sourceFile);
                    // Then the destination before the source: the source lets go before the destination takes it.
                    boolean destination = inControl(servers.get(Role.DESTINATION));
                    boolean sourceControl = source.isAlive() && inControl(source);
                    assertThat(sourceControl && destination).as("both servers in control").isFalse();
                    if (fileGone) {
                        assertThat(destination).as("the source's file deleted before the destination had control").isTrue();
                    }
                    return destination && !source.isAlive();
                }, () -> "source alive: " + source.isAlive() + ", file exists: " + Files.exists(sourceFile));
    }

    @Then("the source's file is deleted")
    public void theSourcesFileIsDeleted() {
        assertThat(servers.file(Role.SOURCE)).doesNotExist();
    }

    @Then("the source's file is kept")
    public void theSourcesFileIsKept() {
        assertThat(servers.file(Role.SOURCE)).exists();
    }

    @Then("the destination holds an entrusted copy and waits for its sender")
    public void theDestinationHoldsAnEntrustedCopy() {
        Eventually.await("the destination to report its entrusted copy", Waits.EVENT,
                () -> servers.status(Role.DESTINATION).handover().equals(Optional.of("entrusted")),
                () -> servers.status(Role.DESTINATION).toString());
        ServerStatus status = servers.status(Role.DESTINATION);
        assertThat(status.inControl()).as("has_control in %s", status).isFalse();
        assertThat(status.clientsAllowed()).as("clients_allowed in %s", status).isFalse();
    }

    @Then("the source is finishing the handover, not in control")
    public void theSourceIsFinishingTheHandover() {
        ServerStatus status = servers.status(Role.SOURCE);
        assertThat(status.inControl()).as("has_control in %s", status).isFalse();
        assertThat(status.clientsAllowed()).as("clients_allowed in %s", status).isFalse();
        assertThat(status.mirroring()).as("is_mirroring in %s", status).isTrue();
        assertThat(status.handover()).as("the source's handover stage in %s", status).isPresent();
        assertThat(status.handover().get()).as("the source's handover stage").isIn("committed", "finishing");
    }

    @Then("the destination is in control but lets no client in yet")
    public void theDestinationIsInControlButNotServing() {
        ServerStatus status = servers.status(Role.DESTINATION);
        assertThat(status.inControl()).as("has_control in %s", status).isTrue();
        assertThat(status.clientsAllowed()).as("clients_allowed in %s", status).isFalse();
    }

    private static boolean inControl(ServerHandle server) {
        try {
            return "true".equals(server.status().get("has_control"));
        } catch (IOException e) {
            return false; // gone, or going: not in control
        }
    }
}
