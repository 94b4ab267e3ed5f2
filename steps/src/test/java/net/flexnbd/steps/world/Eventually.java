package net.flexnbd.steps.world;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits for a condition with a deadline (never a sleep), and on timeout fails with what was
 * awaited and how things stood, so that a failed scenario's report says why.
 */
public final class Eventually {
    private static final Duration POLL = Duration.ofMillis(50);

    private Eventually() {}

    /**
     * Waits until {@code condition} holds; an exception it throws is not a "no" but a failure.
     *
     * @param state describes how things stand, for the failure message
     */
    public static void await(String what, Duration timeout, Callable<Boolean> condition, Supplier<String> state) {
        try {
            Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL).until(condition);
        } catch (ConditionTimeoutException e) {
            String now;
            try {
                now = state.get();
            } catch (RuntimeException stateFailure) {
                now = "(cannot tell: " + stateFailure + ")";
            }
            throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; now: " + now, e);
        }
    }
}
