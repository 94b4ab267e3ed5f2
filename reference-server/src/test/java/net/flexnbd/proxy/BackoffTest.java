package net.flexnbd.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void triesAtOnceThenDoublesFrom25MillisecondsToOneSecond() {
        Backoff backoff = new Backoff();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            delays.add(backoff.next().toMillis());
        }
        assertThat(delays).containsExactly(0L, 25L, 50L, 100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
    }

    @Test
    void aResetStartsAgainWithAnImmediateTry() {
        Backoff backoff = new Backoff();
        for (int i = 0; i < 40; i++) {
            assertThat(backoff.next()).isLessThanOrEqualTo(Duration.ofSeconds(1));
        }
        backoff.reset();
        assertThat(backoff.next()).isZero();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(25));
    }
}
