package dev.simdnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyTaskRunsExactlyOnce() {
        try (Parallel pool = new Parallel(3)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(1000);
            pool.forEach(1000, runs::incrementAndGet);
            for (int i = 0; i < runs.length(); i++) assertThat(runs.get(i)).as("task %d", i).isEqualTo(1);
        }
    }

    @Test
    void forRangeCoversTheRangeWithDisjointChunks() {
        try (Parallel pool = new Parallel(2)) {
            for (int n : new int[] {1, 2, 7, 100, 1001}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.forRange(n, 3, (from, to) -> {
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertThat(hits.get(i)).as("n=%d index %d", n, i).isEqualTo(1);
            }
        }
    }

    @Test
    void aFailingTaskThrowsInTheCaller() {
        try (Parallel pool = new Parallel(2)) {
            assertThatThrownBy(() -> pool.forEach(50, t -> {
                if (t == 17) throw new IllegalArgumentException("task 17");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("task 17");
            // the pool still works afterwards
            AtomicInteger count = new AtomicInteger();
            pool.forEach(10, t -> count.incrementAndGet());
            assertThat(count).hasValue(10);
        }
    }

    @Test
    void errorsPropagateUnwrapped() {
        try (Parallel pool = new Parallel(2)) {
            assertThatThrownBy(() -> pool.forEach(4, t -> {
                throw new AssertionError("boom");
            })).isInstanceOf(AssertionError.class).hasMessage("boom");
        }
    }

    @Test
    void nestedForEachRunsInsideTheTask() {
        try (Parallel pool = new Parallel(2)) {
            AtomicIntegerArray cells = new AtomicIntegerArray(8 * 8);
            pool.forEach(8, i -> pool.forEach(8, j -> cells.incrementAndGet(i * 8 + j)));
            for (int i = 0; i < cells.length(); i++) assertThat(cells.get(i)).isEqualTo(1);
        }
    }

    @Test
    void manyTinyJobsInARowAllComplete() {
        try (Parallel pool = new Parallel(2)) {
            AtomicLong sum = new AtomicLong();
            for (int job = 0; job < 20_000; job++) pool.forEach(2, t -> sum.addAndGet(t + 1));
            assertThat(sum.get()).isEqualTo(20_000L * 3);
        }
    }

    @Test
    void closeEndsTheWorkersAndLaterCallsRunOnTheCaller() {
        Parallel pool = new Parallel(3);
        pool.forEach(6, t -> { });
        pool.close();
        assertThat(pool.workersAlive()).isFalse();
        Thread caller = Thread.currentThread();
        AtomicInteger onCaller = new AtomicInteger();
        pool.forEach(5, t -> {
            if (Thread.currentThread() == caller) onCaller.incrementAndGet();
        });
        assertThat(onCaller).hasValue(5);
        pool.close(); // idempotent
    }

    @Test
    void scratchIsPerThreadAndGrowsOnDemand() {
        try (Parallel pool = new Parallel(2)) {
            float[] first = pool.scratch(0, 100);
            assertThat(first.length).isGreaterThanOrEqualTo(100);
            assertThat(pool.scratch(0, 50)).isSameAs(first);
            assertThat(pool.scratch(1, 50)).isNotSameAs(first);
            assertThat(pool.scratch(0, 1000)).hasSizeGreaterThanOrEqualTo(1000).isNotSameAs(first);
            float[][] other = new float[1][];
            Thread t = new Thread(() -> other[0] = pool.scratch(0, 1000));
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(other[0]).isNotSameAs(pool.scratch(0, 1000));
        }
    }

    @Test
    void rejectsZeroThreads() {
        assertThatThrownBy(() -> new Parallel(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
