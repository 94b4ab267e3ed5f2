package net.flexnbd.steps.report;

import io.cucumber.messages.types.Attachment;
import io.cucumber.messages.types.Envelope;
import io.cucumber.messages.types.GherkinDocument;
import io.cucumber.messages.types.Pickle;
import io.cucumber.messages.types.Source;
import io.cucumber.messages.types.TestCase;
import io.cucumber.messages.types.TestStep;
import io.cucumber.messages.types.TestStepFinished;
import io.cucumber.messages.types.TestStepResultStatus;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the messages of a run for the HTML report, in the order they come:
 * <ul>
 *   <li>each feature file is named by its {@code Feature:} line instead of its path (the
 *       report titles and sorts features by the uri of their messages, so the uri of the
 *       source, the document and its pickles becomes the name; a second feature of the same
 *       name keeps its path after the name);</li>
 *   <li>what a hook attaches after a step failed (the servers' logs) goes to that failed step,
 *       where the report shows it under the error, instead of to the hook, which the report
 *       folds away among "N hooks" because it passed.</li>
 * </ul>
 * Not thread-safe: one run's messages, one at a time.
 */
final class ReportMessages {
    private static final Pattern FEATURE_LINE = Pattern.compile("^\\s*Feature:\\s*(.*?)\\s*$", Pattern.MULTILINE);

    private final Map<String, String> nameByUri = new HashMap<>();
    private final Set<String> namesTaken = new HashSet<>();
    /** Test steps that run a hook, by id. */
    private final Set<String> hookSteps = new HashSet<>();
    /** The step that failed in each started test case, by the test case start's id. */
    private final Map<String, String> failedStepByTestCaseStart = new HashMap<>();

    Envelope rewrite(Envelope envelope) {
        if (envelope.getSource().isPresent()) {
            Source source = envelope.getSource().get();
            return Envelope.of(new Source(name(source.getUri(), featureName(source.getData())), source.getData(),
                    source.getMediaType()));
        }
        if (envelope.getGherkinDocument().isPresent()) {
            GherkinDocument document = envelope.getGherkinDocument().get();
            String uri = document.getUri().orElse(null);
            if (uri == null) {
                return envelope;
            }
            String name = name(uri, document.getFeature().map(f -> f.getName()).orElse(""));
            return Envelope.of(new GherkinDocument(name, document.getFeature().orElse(null), document.getComments()));
        }
        if (envelope.getPickle().isPresent()) {
            Pickle pickle = envelope.getPickle().get();
            return Envelope.of(new Pickle(pickle.getId(), nameByUri.getOrDefault(pickle.getUri(), pickle.getUri()),
                    pickle.getName(), pickle.getLanguage(), pickle.getSteps(), pickle.getTags(), pickle.getAstNodeIds()));
        }
        envelope.getTestCase().ifPresent(this::remember);
        envelope.getTestStepFinished().ifPresent(this::remember);
        if (envelope.getAttachment().isPresent()) {
            return Envelope.of(toFailedStep(envelope.getAttachment().get()));
        }
        return envelope;
    }

    /** The name a feature goes by in the report; the same for every message of that file. */
    private String name(String uri, String featureName) {
        return nameByUri.computeIfAbsent(uri, u -> {
            String name = featureName.isBlank() ? u : featureName;
            if (!namesTaken.add(name)) {
                name = name + " (" + u + ")";
                namesTaken.add(name);
            }
            return name;
        });
    }

    static String featureName(String gherkin) {
        Matcher line = FEATURE_LINE.matcher(gherkin);
        return line.find() ? line.group(1) : "";
    }

    private void remember(TestCase testCase) {
        for (TestStep step : testCase.getTestSteps()) {
            if (step.getHookId().isPresent()) {
                hookSteps.add(step.getId());
            }
        }
    }

    private void remember(TestStepFinished finished) {
        if (finished.getTestStepResult().getStatus() == TestStepResultStatus.FAILED
                && !hookSteps.contains(finished.getTestStepId())) {
            failedStepByTestCaseStart.putIfAbsent(finished.getTestCaseStartedId(), finished.getTestStepId());
        }
    }

    private Attachment toFailedStep(Attachment attachment) {
        Optional<String> failed = attachment.getTestCaseStartedId().map(failedStepByTestCaseStart::get);
        boolean fromAHook = attachment.getTestStepId().map(hookSteps::contains).orElse(false);
        if (failed.isEmpty() || !fromAHook) {
            return attachment;
        }
        return new Attachment(attachment.getBody(), attachment.getContentEncoding(), attachment.getFileName().orElse(null),
                attachment.getMediaType(), attachment.getSource().orElse(null), attachment.getTestCaseStartedId().orElse(null),
                failed.get(), attachment.getUrl().orElse(null), attachment.getTestRunStartedId().orElse(null),
                attachment.getTestRunHookStartedId().orElse(null), attachment.getTimestamp().orElse(null));
    }
}
