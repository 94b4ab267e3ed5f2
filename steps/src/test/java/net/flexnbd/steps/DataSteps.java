package net.flexnbd.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import java.io.IOException;
import net.flexnbd.steps.world.Clients;
import net.flexnbd.steps.world.Disks;
import net.flexnbd.steps.world.Role;
import net.flexnbd.steps.world.Servers;

/**
 * Files and data: the disk a scenario is about, and what the servers' files hold at the end
 * (the disk's original pattern plus every acknowledged write, or the original untouched).
 */
public class DataSteps {
    private final Disks disks;
    private final Servers servers;
    private final Clients clients;

    public DataSteps(Disks disks, Servers servers, Clients clients) {
        this.disks = disks;
        this.servers = servers;
        this.clients = clients;
    }

    @Given("a {size} disk written with pattern {pattern}")
    public void aDisk(long size, String pattern) {
        disks.create(size, pattern);
    }

    /** Clients writing all the time are held for the check, their acknowledged writes counted in. */
    @Then("the {role}'s file holds the disk's data")
    @StepNotes(waitsFor = "writing clients, if any, to hold still for the check (event, 30 s)",
            needs = "a disk ('Given a 8 MiB disk written with pattern ...')")
    public void fileHoldsTheDisksData(Role role) throws IOException {
        clients.whileWritersHold(role, () -> disks.assertHolds(role, servers.file(role)));
    }

    @Then("the {role}'s file is untouched")
    public void fileIsUntouched(Role role) {
        disks.disk().firstDifferenceFromOriginal(servers.file(role)).ifPresent(m -> {
            throw new AssertionError("the " + role.word() + "'s file " + servers.file(role) + " was changed: "
                    + m.describe());
        });
    }
}
