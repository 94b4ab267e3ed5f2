package net.flexnbd.steps.report;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.Status;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseFinished;
import io.cucumber.plugin.event.TestRunFinished;
import io.cucumber.plugin.event.TestRunStarted;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A Cucumber plugin that ends the console output with what a spec writer wants to know: how
 * many scenarios passed, failed and were skipped, and for each one that did not pass, where
 * it is and the first line of why. (Cucumber's own summary offers Java snippets instead.)
 */
public final class ScenarioSummary implements ConcurrentEventListener {
    /** One scenario that did not pass. */
    record Outcome(Status status, String location, String name, String why) {}

    private final PrintStream out;
    private final Map<Status, Integer> counts = new EnumMap<>(Status.class);
    private final List<Outcome> notPassed = new ArrayList<>();
    private Instant started = Instant.now();

    public ScenarioSummary() {
        this(System.out);
    }

    ScenarioSummary(PrintStream out) {
        this.out = out;
    }

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(TestRunStarted.class, event -> started = event.getInstant());
        publisher.registerHandlerFor(TestCaseFinished.class, this::finished);
        publisher.registerHandlerFor(TestRunFinished.class, event -> out.print(text(Duration.between(started, event.getInstant()))));
    }

    private synchronized void finished(TestCaseFinished event) {
        Status status = event.getResult().getStatus();
        counts.merge(status, 1, Integer::sum);
        if (status != Status.PASSED) {
            TestCase scenario = event.getTestCase();
            String why = event.getResult().getError() == null ? status.name().toLowerCase(java.util.Locale.ROOT)
                    : firstLine(event.getResult().getError().getMessage());
            notPassed.add(new Outcome(status, shortUri(scenario.getUri().toString()) + ":" + scenario.getLocation().getLine(),
                    scenario.getName(), why));
        }
    }

    /** The summary, as printed at the end of the run. */
    synchronized String text(Duration took) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder text = new StringBuilder("\n").append(total).append(total == 1 ? " scenario" : " scenarios");
        List<String> parts = new ArrayList<>();
        counts.forEach((status, count) -> parts.add(count + " " + status.name().toLowerCase(java.util.Locale.ROOT)));
        text.append(parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")")
                .append(String.format(" in %dm %02ds%n", took.toMinutes(), took.toSecondsPart()));
        for (Outcome outcome : notPassed) {
            text.append("  ").append(outcome.status().name()).append("  ").append(outcome.location()).append("  ")
                    .append(outcome.name()).append("\n      ").append(outcome.why()).append('\n');
        }
        if (!notPassed.isEmpty()) {
            text.append("Reports: steps/target/cucumber-report.html (each step, its error and the servers' logs).\n");
        }
        return text.toString();
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        String line = message.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + " ..." : line;
    }

    private static String shortUri(String uri) {
        int features = uri.lastIndexOf("features/");
        return features >= 0 ? uri.substring(features) : uri;
    }
}
