package net.flexnbd.steps.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Finds the defined steps nearest to a step text that none matches, by the words they share
 * in order: a parameter such as {@code {size}} or {@code {role}} stands for any one or two
 * words, so "the source is frozen" finds "the {role} process is paused".
 */
public final class NearestSteps {
    private static final int SHOWN = 4;

    private final List<String> expressions;

    /** @param expressions the defined steps as "Keyword expression", e.g. "When the {role} process is paused" */
    public NearestSteps(List<String> expressions) {
        this.expressions = List.copyOf(expressions);
    }

    /** The few steps nearest to {@code text} (without its keyword), best first; none if nothing is near. */
    public List<String> to(String text) {
        List<String> words = words(text);
        record Scored(String step, double score) {}
        List<Scored> scored = new ArrayList<>();
        for (String step : expressions) {
            String expression = step.substring(step.indexOf(' ') + 1);
            double score = similarity(words, words(expression));
            if (score >= 0.4) {
                scored.add(new Scored(step, score));
            }
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::step));
        return scored.stream().limit(SHOWN).map(Scored::step).toList();
    }

    static List<String> words(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).replaceAll("[`\"',.]", " ").trim().split("\\s+"))
                .filter(w -> !w.isEmpty()).toList();
    }

    /**
     * Words in common, in order, over the longer of the two: the same word counts 1, a word
     * of the same stem ("complete", "completes") 0.8, a parameter standing for a word 0.4.
     */
    static double similarity(List<String> text, List<String> expression) {
        double[][] common = new double[text.size() + 1][expression.size() + 1];
        for (int i = 1; i <= text.size(); i++) {
            for (int j = 1; j <= expression.size(); j++) {
                double match = match(text.get(i - 1), expression.get(j - 1));
                common[i][j] = Math.max(common[i - 1][j - 1] + match, Math.max(common[i - 1][j], common[i][j - 1]));
            }
        }
        return common[text.size()][expression.size()] / Math.max(1, Math.max(text.size(), expression.size()));
    }

    private static double match(String word, String expressionWord) {
        if (word.equals(expressionWord)) {
            return 1;
        }
        if (expressionWord.startsWith("{") && expressionWord.endsWith("}")) {
            return 0.4;
        }
        int common = 0;
        while (common < Math.min(word.length(), expressionWord.length()) && word.charAt(common) == expressionWord.charAt(common)) {
            common++;
        }
        return common >= 4 && common >= Math.min(word.length(), expressionWord.length()) - 2 ? 0.8 : 0;
    }
}
