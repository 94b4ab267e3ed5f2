package net.flexnbd.steps;

import io.cucumber.java.ParameterType;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The list of every step and parameter type the glue defines, as the Markdown that
 * docs/writing-scenarios.md carries between its markers, so that the documentation is
 * generated from the code rather than kept by hand.
 */
final class StepCatalog {
    static final String BEGIN = "<!-- BEGIN GENERATED STEP LIST: StepCatalogTest checks it; regenerate with "
            + "mvn -B -q -pl steps -am test -Dtest=StepCatalogTest -Dsurefire.failIfNoSpecifiedTests=false -Dsteps.catalog.write=true -->";
    static final String END = "<!-- END GENERATED STEP LIST -->";

    private StepCatalog() {}

    /** The glue classes, by name: every class of this package. */
    static List<Class<?>> glueClasses() throws IOException {
        try {
            Path dir = Path.of(StepCatalog.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .resolve(StepCatalog.class.getPackageName().replace('.', '/'));
            List<Class<?>> classes = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".class") && !name.contains("$")) {
                        classes.add(Class.forName(StepCatalog.class.getPackageName() + "." + name.replace(".class", "")));
                    }
                }
            }
            return classes;
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IOException("cannot list the glue classes: " + e.getMessage(), e);
        }
    }

    /** The Markdown list, markers included. */
    static String markdown() throws IOException {
        StringBuilder out = new StringBuilder(BEGIN).append("\n\n");
        for (Class<?> glue : glueClasses()) {
            List<Entry> steps = steps(glue);
            if (steps.isEmpty()) {
                continue;
            }
            out.append("**").append(glue.getSimpleName()).append("**\n\n");
            steps.forEach(step -> out.append("- `").append(step.text()).append("`\n").append(step.notes()));
            out.append('\n');
        }
        out.append("**Parameter types** (ParameterTypes)\n\n| parameter | matches |\n|---|---|\n");
        for (Method method : sorted(ParameterTypes.class)) {
            ParameterType type = method.getAnnotation(ParameterType.class);
            if (type != null) {
                String name = type.name().isEmpty() ? method.getName() : type.name();
                out.append("| `{").append(name).append("}` | ").append(code(type.value().replace("|", "\\|"))).append(" |\n");
            }
        }
        return out.append('\n').append(END).toString();
    }

    /** Inline code; a value holding a backquote gets the double-backquote form. */
    private static String code(String text) {
        return text.contains("`") ? "`` " + text + " ``" : "`" + text + "`";
    }

    /**
     * One step of the list: its keyword and expression ("Given a {size} disk ..."), and what its
     * {@link StepNotes} say.
     */
    record Entry(String text, StepNotes notesOrNull) {
        String keyword() {
            return text.substring(0, text.indexOf(' '));
        }

        String expression() {
            return text.substring(text.indexOf(' ') + 1);
        }

        /** The notes as indented list items, or nothing. */
        String notes() {
            if (notesOrNull == null) {
                return "";
            }
            StringBuilder out = new StringBuilder();
            note(out, "waits for", notesOrNull.waitsFor());
            note(out, "needs first", notesOrNull.needs());
            note(out, "not after", notesOrNull.notAfter());
            return out.toString();
        }

        private static void note(StringBuilder out, String what, String text) {
            if (!text.isEmpty()) {
                out.append("  - ").append(what).append(": ").append(text).append('\n');
            }
        }
    }

    /** The Givens, then the Whens, then the Thens, each in alphabetical order. */
    static List<Entry> steps(Class<?> glue) {
        List<Entry> steps = new ArrayList<>();
        for (Method method : glue.getDeclaredMethods()) {
            for (Annotation annotation : method.getAnnotations()) {
                for (Annotation step : unpack(annotation)) {
                    expression(step).ifPresent(text -> steps.add(
                            new Entry(step.annotationType().getSimpleName() + " " + text, method.getAnnotation(StepNotes.class))));
                }
            }
        }
        steps.sort(Comparator.comparing((Entry step) -> KEYWORDS.indexOf(step.keyword())).thenComparing(Entry::text));
        return steps;
    }

    /** Every step of every glue class. */
    static List<Entry> allSteps() throws IOException {
        List<Entry> all = new ArrayList<>();
        for (Class<?> glue : glueClasses()) {
            all.addAll(steps(glue));
        }
        return all;
    }

    private static final List<String> KEYWORDS = List.of("Given", "When", "Then");

    private static java.util.Optional<String> expression(Annotation step) {
        if (step instanceof Given given) {
            return java.util.Optional.of(given.value());
        }
        if (step instanceof When when) {
            return java.util.Optional.of(when.value());
        }
        if (step instanceof Then then) {
            return java.util.Optional.of(then.value());
        }
        return java.util.Optional.empty();
    }

    private static List<Annotation> unpack(Annotation annotation) {
        if (annotation instanceof Given.Givens givens) {
            return List.of(givens.value());
        }
        if (annotation instanceof When.Whens whens) {
            return List.of(whens.value());
        }
        if (annotation instanceof Then.Thens thens) {
            return List.of(thens.value());
        }
        return List.of(annotation);
    }

    private static List<Method> sorted(Class<?> type) {
        return Arrays.stream(type.getDeclaredMethods()).sorted(Comparator.comparing(Method::getName)).toList();
    }
}
