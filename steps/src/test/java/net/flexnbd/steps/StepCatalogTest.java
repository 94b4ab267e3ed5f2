package net.flexnbd.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.flexnbd.fixtures.ProjectRoot;
import org.junit.jupiter.api.Test;

/**
 * Keeps the step list in docs/writing-scenarios.md in step with the glue: fails when they
 * differ, and with {@code -Dsteps.catalog.write=true} rewrites the list instead.
 */
class StepCatalogTest {
    private static final Path DOC = Path.of("docs", "writing-scenarios.md");

    @Test
    void theDocumentedStepListIsTheGlues() throws IOException {
        Path doc = ProjectRoot.find().orElseThrow(() -> new AssertionError("no project root above "
                + Path.of("").toAbsolutePath())).resolve(DOC);
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int begin = text.indexOf(StepCatalog.BEGIN);
        int end = text.indexOf(StepCatalog.END);
        assertThat(begin).as("%s has the line %s", doc, StepCatalog.BEGIN).isNotNegative();
        assertThat(end).as("%s has the line %s", doc, StepCatalog.END).isGreaterThan(begin);
        String documented = text.substring(begin, end + StepCatalog.END.length());
        String generated = StepCatalog.markdown();
        if (Boolean.getBoolean("steps.catalog.write") && !documented.equals(generated)) {
            Files.writeString(doc, text.substring(0, begin) + generated + text.substring(end + StepCatalog.END.length()),
                    StandardCharsets.UTF_8);
            return;
        }
        assertThat(documented).as("the step list in %s (regenerate it with -Dsteps.catalog.write=true)", doc)
                .isEqualTo(generated);
    }

    @Test
    void everyGlueClassWithStepsIsListed() throws IOException {
        assertThat(StepCatalog.glueClasses()).extracting(Class::getSimpleName)
                .contains("ServerSteps", "ClientSteps", "MigrationSteps", "NetworkSteps", "PeerSteps", "DataSteps");
        assertThat(StepCatalog.markdown()).contains("`Given a {size} disk written with pattern {pattern}`")
                .contains("| `{size}` |");
    }
}
