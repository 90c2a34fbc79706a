package dev.simdnet.optim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateScheduleTest {

    @Test
    void constant() {
        var s = new LearningRateSchedule.Constant(0.1f);
        assertThat(s.lr(0, 10)).isEqualTo(0.1f);
        assertThat(s.lr(9, 10)).isEqualTo(0.1f);
    }

    @Test
    void warmupCosineRisesLinearlyThenFallsToTheMinimum() {
        var s = new LearningRateSchedule.WarmupCosine(1f, 4, 0.01f);
        assertThat(s.lr(0, 104)).isEqualTo(0.25f);
        assertThat(s.lr(3, 104)).isEqualTo(1f);
        assertThat(s.lr(4, 104)).isCloseTo(1f, within(1e-6f));
        assertThat(s.lr(54, 104)).isCloseTo(0.505f, within(0.01f)); // half way down the cosine
        assertThat(s.lr(103, 104)).isCloseTo(0.01f, within(1e-6f));
        float previous = Float.MAX_VALUE;
        for (int step = 4; step < 104; step++) {
            assertThat(s.lr(step, 104)).isLessThanOrEqualTo(previous);
            previous = s.lr(step, 104);
        }
    }

    @Test
    void oneCycleWarmsUpToTheMaximumThenAnnealsToNearZero() {
        var cos = LearningRateSchedule.OneCycle.of(0.4f);
        assertThat(cos.lr(0, 100)).isCloseTo(0.4f / 25, within(1e-7f));
        assertThat(cos.lr(29, 100)).isCloseTo(0.4f, within(1e-6f));
        assertThat(cos.lr(30, 100)).isCloseTo(0.4f, within(1e-6f));
        assertThat(cos.lr(99, 100)).isCloseTo(0.4f / 25 / 1e4f, within(1e-9f));
        var lin = new LearningRateSchedule.OneCycle(0.4f, 0.2, 10, 100, false);
        assertThat(lin.lr(20, 101)).isCloseTo(0.4f, within(1e-6f));
        assertThat(lin.lr(60, 101)).isCloseTo((0.4f + 0.4f / 1000) / 2, within(1e-6f));
        assertThat(lin.lr(100, 101)).isCloseTo(0.4f / 1000, within(1e-9f));
    }

    @Test
    void invalidSchedulesAreRejected() {
        assertThatThrownBy(() -> new LearningRateSchedule.Constant(0f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LearningRateSchedule.WarmupCosine(0.1f, -1, 0f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LearningRateSchedule.WarmupCosine(0.1f, 1, 0.2f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LearningRateSchedule.OneCycle(0.1f, 1.0, 25, 1e4, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LearningRateSchedule.OneCycle.of(0.1f).lr(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
