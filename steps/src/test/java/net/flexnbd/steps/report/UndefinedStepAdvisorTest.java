package net.flexnbd.steps.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a spec writer reads when a step is not defined: the nearest steps and where the list is, no Java. */
class UndefinedStepAdvisorTest {
    private static final List<String> DEFINED = List.of(
            "When the {role} process is paused",
            "When the {role} process is killed",
            "When the migration reaches its final pass",
            "Then the migration completes",
            "Given a {size} disk written with pattern {pattern}",
            "Then the {role}'s file holds the disk's data");

    @Test
    void anUndefinedStepIsAnsweredWithTheNearestStepsAndThePointer() {
        String advice = UndefinedStepAdvisor.advice(List.of(new UndefinedStepAdvisor.Undefined(
                "classpath:features/destination-paused.feature", 12, "When", "the destination process is frozen")), DEFINED);

        assertThat(advice).startsWith("No step matches \"When the destination process is frozen\" "
                + "(features/destination-paused.feature:12).\nThe nearest steps are:\n"
                + "    When the {role} process is killed\n    When the {role} process is paused\n");
        assertThat(advice).endsWith(UndefinedStepAdvisor.POINTER).contains("docs/writing-scenarios.md");
        assertThat(advice).doesNotContain("@When", "public void", "PendingException", "snippet");
    }

    @Test
    void aStepNearNothingSaysSoAndEachUndefinedStepIsNamed() {
        String advice = UndefinedStepAdvisor.advice(List.of(
                new UndefinedStepAdvisor.Undefined("file:/x/features/a.feature", 3, "Given", "quantum entanglement"),
                new UndefinedStepAdvisor.Undefined("file:/x/features/a.feature", 4, "Then", "the migration is complete")),
                DEFINED);

        assertThat(advice).contains("No step matches \"Given quantum entanglement\" (features/a.feature:3).\n"
                + "No defined step is near it.\n");
        assertThat(advice).contains("No step matches \"Then the migration is complete\" (features/a.feature:4).\n"
                + "The nearest steps are:\n    Then the migration completes\n");
    }

    @Test
    void parametersStandForAnyWord() {
        assertThat(new NearestSteps(DEFINED).to("a 64 MiB disk with pattern `f0_f`"))
                .startsWith("Given a {size} disk written with pattern {pattern}");
        assertThat(NearestSteps.similarity(NearestSteps.words("the source's file holds the disk's data"),
                NearestSteps.words("the {role}'s file holds the disk's data"))).isGreaterThan(0.8);
    }
}
