package net.flexnbd.steps.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioSummaryTest {
    @Test
    void anEmptyRunSaysNoScenarios() {
        ScenarioSummary summary = new ScenarioSummary(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(summary.text(Duration.ofSeconds(75))).isEqualTo("\n0 scenarios in 1m 15s\n");
    }
}
