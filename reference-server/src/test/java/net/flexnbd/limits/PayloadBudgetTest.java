package net.flexnbd.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadBudgetTest {
    private static final int MIB = 1 << 20;

    private final List<String> granted = new ArrayList<>();

    private PayloadBudget.Waiter waiter(String name) {
        return () -> granted.add(name);
    }

    @Test
    void payloadsThatFitAreTakenAtOnceAndOthersWaitForARelease() {
        PayloadBudget budget = new PayloadBudget(64 * MIB);

        assertThat(budget.reserve(MIB, waiter("a"))).isTrue();
        assertThat(budget.reserve(63 * MIB, waiter("b"))).isFalse(); // large ones leave the last eighth
        assertThat(budget.reserve(56 * MIB - MIB, waiter("c"))).isTrue();
        assertThat(budget.used()).isEqualTo(56L * MIB);
        assertThat(budget.waiting()).isEqualTo(1);

        budget.release(55L * MIB);
        assertThat(granted).isEmpty(); // 1 MiB + 63 MiB would reach into the reserve

        budget.release(MIB);
        assertThat(granted).containsExactly("b"); // alone, any payload may take everything
        assertThat(budget.used()).isEqualTo(63L * MIB);
    }

    @Test
    void smallPayloadsMayUseTheReserveThatLargeOnesLeave() {
        PayloadBudget budget = new PayloadBudget(256L * MIB);
        for (int i = 0; i < 7; i++) {
            assertThat(budget.reserve(32 * MIB, waiter("hostile" + i))).isTrue();
        }
        assertThat(budget.reserve(32 * MIB, waiter("hostile7"))).isFalse();

        for (int i = 0; i < 32; i++) {
            assertThat(budget.reserve(MIB, waiter("honest" + i))).as("small write %d", i).isTrue();
        }
        assertThat(budget.reserve(MIB, waiter("honest32"))).isFalse();
        assertThat(budget.used()).isEqualTo(256L * MIB);
    }

    @Test
    void aReleaseGrantsEveryWaiterThatFitsOldestFirstSkippingOnesThatDoNot() {
        PayloadBudget budget = new PayloadBudget(32 * MIB);
        assertThat(budget.reserve(32 * MIB, waiter("first"))).isTrue();
        assertThat(budget.reserve(20 * MIB, waiter("big"))).isFalse();
        assertThat(budget.reserve(MIB, waiter("small1"))).isFalse();
        assertThat(budget.reserve(MIB, waiter("small2"))).isFalse();

        budget.release(32 * MIB);

        // "big" fits the empty budget first; the small ones fit beside it (small ones may use the reserve)
        assertThat(granted).containsExactly("big", "small1", "small2");
        assertThat(budget.used()).isEqualTo(22L * MIB);
    }

    @Test
    void aCancelledWaiterIsNeverGranted() {
        PayloadBudget budget = new PayloadBudget(32 * MIB);
        budget.reserve(32 * MIB, waiter("holder"));
        PayloadBudget.Waiter gone = waiter("gone");
        budget.reserve(MIB, gone);

        assertThat(budget.cancel(gone)).isTrue();
        budget.release(32 * MIB);

        assertThat(granted).isEmpty();
        assertThat(budget.used()).isZero();
        assertThat(budget.cancel(gone)).isFalse();
    }

    @Test
    void releasingMoreThanIsTakenIsABugAndSaysSo() {
        PayloadBudget budget = new PayloadBudget(32 * MIB);
        budget.reserve(10, waiter("a"));

        assertThatThrownBy(() -> budget.release(11)).hasMessageContaining("releasing 11 bytes with 10 taken");
        assertThatThrownBy(() -> new PayloadBudget(0)).hasMessageContaining("(0)");
    }
}
