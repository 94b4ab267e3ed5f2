package net.flexnbd.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.flexnbd.fixtures.campaign.Campaign;
import net.flexnbd.fixtures.campaign.CampaignSettings;
import net.flexnbd.fixtures.campaign.Summary;

/**
 * Steps of {@code campaign.feature}: a randomized fault campaign, run by the fixtures'
 * {@link Campaign}, and its totals. Self-contained: a campaign brings up its own servers and
 * Toxiproxy and takes them down again.
 */
public class CampaignSteps {
    private CampaignSettings settings;
    private Summary summary;
    private String transcript = "";

    @Given("a fault campaign of {int} run(s) from seed {long}")
    public void aFaultCampaign(int runs, long seed) {
        settings = CampaignSettings.defaults(seed, runs, Path.of("target", "campaign-" + Long.toUnsignedString(seed, 36)))
                .withSizes(16, 16).withActiveMillis(2000, 4000);
    }

    @When("the campaign runs")
    public void theCampaignRuns() throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        summary = new Campaign(settings, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        transcript = out.toString(StandardCharsets.UTF_8);
        System.out.print(transcript);
    }

    @Then("no acknowledged write was lost")
    public void noAcknowledgedWriteWasLost() {
        assertThat(summary.writesAcknowledged()).as(transcript).isPositive();
        assertThat(summary.lost()).as(transcript).isZero();
    }

    @Then("no run ended with two servers in control")
    public void noSplitBrain() {
        assertThat(summary.splitBrain()).as(transcript).isZero();
    }

    @Then("no read returned data that was never written")
    public void noPhantomReads() {
        assertThat(summary.phantomReads()).as(transcript).isZero();
    }

    @Then("every run kept every promise")
    public void everyRunKeptEveryPromise() {
        assertThat(summary.runs()).as(transcript).isEqualTo(settings.runs());
        assertThat(summary.passed()).as(transcript).isTrue();
    }
}
