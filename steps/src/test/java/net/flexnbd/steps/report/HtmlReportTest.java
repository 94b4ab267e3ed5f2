package net.flexnbd.steps.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cucumber.messages.ndjson.Deserializer;
import io.cucumber.messages.types.Attachment;
import io.cucumber.messages.types.Envelope;
import io.cucumber.messages.types.TestStep;
import io.cucumber.messages.types.TestStepFinished;
import io.cucumber.messages.types.TestStepResultStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs one scenario that fails on purpose (resources: fails-on-purpose.feature) with the
 * project's own glue and hooks, and reads the HTML report it leaves: the feature goes by
 * its name, and the logs the hooks attach after the failure hang under the failed step.
 */
class HtmlReportTest {
    private static final String FEATURE = "classpath:net/flexnbd/steps/report/fails-on-purpose.feature";

    @TempDir
    Path dir;

    @Test
    void theReportNamesTheFeatureAndShowsTheEvidenceUnderTheFailedStep() throws IOException {
        Path report = dir.resolve("report.html");
        byte status = io.cucumber.core.cli.Main.run(new String[] {"--glue", "net.flexnbd.steps", "--plugin",
                HtmlReport.class.getName() + ":" + report, "--monochrome", FEATURE},
                Thread.currentThread().getContextClassLoader());

        assertThat(status).as("the run's exit status: the scenario fails on purpose").isEqualTo((byte) 1);
        List<Envelope> messages = messages(Files.readString(report, StandardCharsets.UTF_8));

        assertThat(messages.stream().flatMap(m -> m.getGherkinDocument().stream()).map(d -> d.getUri().orElse("")))
                .containsExactly("A failed step shows its evidence");
        assertThat(messages.stream().flatMap(m -> m.getSource().stream()).map(s -> s.getUri()))
                .containsExactly("A failed step shows its evidence");
        assertThat(messages.stream().flatMap(m -> m.getPickle().stream()).map(p -> p.getUri()))
                .containsExactly("A failed step shows its evidence");

        List<String> hookSteps = messages.stream().flatMap(m -> m.getTestCase().stream())
                .flatMap(c -> c.getTestSteps().stream()).filter(s -> s.getHookId().isPresent()).map(TestStep::getId).toList();
        List<TestStepFinished> failed = messages.stream().flatMap(m -> m.getTestStepFinished().stream())
                .filter(f -> f.getTestStepResult().getStatus() == TestStepResultStatus.FAILED).toList();
        assertThat(failed).as("failed steps").hasSize(1);
        String failedStep = failed.get(0).getTestStepId();
        assertThat(hookSteps).as("the failed step is a step of the scenario, not a hook").doesNotContain(failedStep);

        List<Attachment> attachments = messages.stream().flatMap(m -> m.getAttachment().stream()).toList();
        assertThat(attachments).extracting(a -> a.getFileName().orElse(""))
                .contains("in-process servers and fixtures log");
        assertThat(attachments).extracting(a -> a.getTestStepId().orElse(""))
                .as("the step each attachment hangs under").containsOnly(failedStep);
    }

    /** The messages the report embeds: {@code window.CUCUMBER_MESSAGES = [ENVELOPE,ENVELOPE,...];}. */
    private static List<Envelope> messages(String html) throws IOException {
        String start = "window.CUCUMBER_MESSAGES = [";
        int from = html.indexOf(start);
        assertThat(from).as("the messages in the report").isNotNegative();
        from += start.length();
        List<Envelope> envelopes = new ArrayList<>();
        Deserializer json = new Deserializer();
        for (Optional<Integer> end; (end = endOfObject(html, from)).isPresent(); from = end.get() + 1) {
            envelopes.add(json.readValue(html.substring(from, end.get())));
            if (html.charAt(end.get()) != ',') {
                break;
            }
        }
        return envelopes;
    }

    /** Where the JSON object that starts at {@code from} ends (the index just after its closing brace). */
    private static Optional<Integer> endOfObject(String text, int from) {
        if (from >= text.length() || text.charAt(from) != '{') {
            return Optional.empty();
        }
        int depth = 0;
        boolean inString = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return Optional.of(i + 1);
            }
        }
        return Optional.empty();
    }
}
