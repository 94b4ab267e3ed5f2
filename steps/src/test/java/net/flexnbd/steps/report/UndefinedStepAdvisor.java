package net.flexnbd.steps.report;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.PickleStepTestStep;
import io.cucumber.plugin.event.TestCaseStarted;
import io.cucumber.plugin.event.TestStep;
import java.util.ArrayList;
import java.util.List;

/**
 * A Cucumber plugin for spec writers: a scenario with a step that no glue defines fails at
 * once, before any server starts, with the steps nearest to it and where the step list is,
 * instead of Cucumber's Java snippet. The plugin notes the undefined steps when the scenario
 * starts (on the thread that runs it); the first {@code Before} hook fails the scenario with
 * {@link #advice}.
 */
public final class UndefinedStepAdvisor implements ConcurrentEventListener {
    static final String POINTER = "Every step, its words and what it waits for are listed in docs/writing-scenarios.md "
            + "(\"The steps\"); how to add one is in \"When a new step is warranted\" there.";

    /** A step of a feature that no glue defines. */
    public record Undefined(String uri, int line, String keyword, String text) {}

    private static final ThreadLocal<List<Undefined>> UNDEFINED = ThreadLocal.withInitial(List::of);

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(TestCaseStarted.class, this::started);
    }

    private void started(TestCaseStarted event) {
        List<Undefined> undefined = new ArrayList<>();
        for (TestStep step : event.getTestCase().getTestSteps()) {
            // Cucumber gives a step no code location when no step definition matches it.
            if (step instanceof PickleStepTestStep pickle && pickle.getCodeLocation() == null) {
                undefined.add(new Undefined(pickle.getUri().toString(), pickle.getStep().getLine(),
                        pickle.getStep().getKeyword().strip(), pickle.getStep().getText()));
            }
        }
        UNDEFINED.set(List.copyOf(undefined));
    }

    /** The undefined steps of the scenario on this thread, once. */
    public static List<Undefined> takeUndefined() {
        List<Undefined> undefined = UNDEFINED.get();
        UNDEFINED.remove();
        return undefined;
    }

    /** What a spec writer is told about the undefined steps, given every defined step ("Keyword expression"). */
    public static String advice(List<Undefined> undefined, List<String> defined) {
        NearestSteps nearest = new NearestSteps(defined);
        StringBuilder out = new StringBuilder();
        for (Undefined step : undefined) {
            out.append("No step matches \"").append(step.keyword()).append(' ').append(step.text()).append("\" (")
                    .append(shortUri(step.uri())).append(':').append(step.line()).append(").\n");
            List<String> near = nearest.to(step.text());
            if (near.isEmpty()) {
                out.append("No defined step is near it.\n");
            } else {
                out.append("The nearest steps are:\n");
                near.forEach(s -> out.append("    ").append(s).append('\n'));
            }
        }
        return out.append(POINTER).toString();
    }

    private static String shortUri(String uri) {
        int features = uri.lastIndexOf("features/");
        return features >= 0 ? uri.substring(features) : uri;
    }
}
