package net.flexnbd.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
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

    public DataSteps(Disks disks, Servers servers) {
        this.disks = disks;
        this.servers = servers;
    }

    @Given("a {size} disk written with pattern {pattern}")
    public void aDisk(long size, String pattern) {
        disks.create(size, pattern);
    }

    @Then("the {role}'s file holds the disk's data")
    public void fileHoldsTheDisksData(Role role) {
        disks.disk().assertMatches(servers.file(role));
    }

    @Then("the {role}'s file is untouched")
    public void fileIsUntouched(Role role) {
        disks.disk().firstDifferenceFromOriginal(servers.file(role)).ifPresent(m -> {
            throw new AssertionError("the " + role.word() + "'s file " + servers.file(role) + " was changed: "
                    + m.describe());
        });
    }
}
