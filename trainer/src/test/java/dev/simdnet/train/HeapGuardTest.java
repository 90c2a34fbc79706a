package dev.simdnet.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeapGuardTest {
    @Test
    void offItNeverCollects() {
        HeapGuard g = new HeapGuard(false, 0);
        for (int i = 0; i < 3; i++) g.check();
        assertThat(g.collections()).isZero();
    }

    @Test
    void aHeapAboveTheLimitIsCollectedAndTheLimitFollowsTheLiveSet() {
        HeapGuard g = new HeapGuard(true, 0);   // any heap is above a zero floor
        g.check();
        assertThat(g.collections()).isEqualTo(1);
        // The new limit is a multiple of what the collection left, so the live set alone never triggers another.
        assertThat(g.liveAfterCollection()).isPositive();
        assertThat(g.limit()).isEqualTo((long) (2.5 * g.liveAfterCollection()));
    }
}
