package net.flexnbd.steps;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a spec writer must know about a step beyond its words, printed under it in the step
 * list of docs/writing-scenarios.md: what it waits for (and how long), what must come before
 * it, and what it cannot follow. Empty means nothing to say.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface StepNotes {
    /** What the step waits for before it passes, and under which deadline. */
    String waitsFor() default "";

    /** Steps (or setup) that must come before it. */
    String needs() default "";

    /** Steps it cannot follow, or must not be used after. */
    String notAfter() default "";
}
