package dev.simdnet.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed pool of threads, started once, that runs {@code body(0..tasks-1)} with the calling thread taking
 * part. Kernels split their work into tasks that each own a disjoint part of the output and never split a
 * reduction (or split it into pieces fixed by the problem's shape, summed in a fixed order), so results do
 * not depend on which thread ran which task, nor on the number of threads.
 *
 * <p>Idle workers spin briefly, then park: a GEMM of a fraction of a millisecond must not pay for a
 * hand-off through an executor. A {@link #forEach} called from inside a task runs serially in that task.
 */
public final class Parallel implements AutoCloseable {
    /** Scratch arrays a thread may hold at once: slots 0 to 2 are the GEMM's packing buffers, 3 is free. */
    static final int SCRATCH_SLOTS = 4;
    /** How long an idle worker spins before parking, in nanoseconds. */
    private static final long SPIN_NANOS = 200_000;
    /** How long a caller spins on unfinished tasks of other threads before it starts yielding, in nanoseconds. */
    private static final long CALLER_SPIN_NANOS = 50_000;

    private final int threads;
    private final Worker[] workers;
    private final Object callerLock = new Object();
    private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** Per-thread scratch arrays of the kernels, by slot (see {@link #scratch}). */
    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[SCRATCH_SLOTS][]);

    private volatile Job job;
    private volatile boolean closed;

    private static final class Job {
        final IntConsumer body;
        final int tasks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        volatile Throwable failure;

        Job(IntConsumer body, int tasks) {
            this.body = body;
            this.tasks = tasks;
        }

        /** Runs tasks until none are left. */
        void work() {
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                try {
                    if (failure == null) body.accept(t);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    finished.incrementAndGet();
                }
            }
        }
    }

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("simdnet-kernel-" + (i + 1));
            workers[i].start();
        }
    }

    /** The number of threads that run tasks, the caller included. */
    public int threads() { return threads; }

    /** Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)} and returns when all are done. */
    public void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (tasks == 1 || workers.length == 0 || inside.get() || closed) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        synchronized (callerLock) {
            inside.set(Boolean.TRUE);
            try {
                Job j = new Job(body, tasks);
                job = j;
                for (Worker w : workers) LockSupport.unpark(w);
                j.work();
                awaitFinished(j);
                job = null;
                if (j.failure instanceof RuntimeException re) throw re;
                if (j.failure instanceof Error e) throw e;
                if (j.failure != null) throw new IllegalStateException(j.failure);
            } finally {
                inside.set(Boolean.FALSE);
            }
        }
    }

    /**
     * A scratch array of at least {@code size} floats owned by the calling thread, kept for the life of the
     * pool: packing buffers that a small GEMM would otherwise allocate (and zero) on every call. Its
     * contents are whatever the last user left; a kernel must not call another kernel that uses the same
     * slot while it holds the array.
     */
    float[] scratch(int slot, int size) {
        float[][] mine = scratch.get();
        float[] array = mine[slot];
        if (array == null || array.length < size) {
            array = new float[size];
            mine[slot] = array;
        }
        return array;
    }

    /**
     * Waits for the other threads' tasks of {@code j}: spins (they are usually microseconds from done), then
     * yields, so that on a busy machine a worker that shares this core gets the CPU it is waiting for.
     */
    private static void awaitFinished(Job j) {
        long yieldAfter = System.nanoTime() + CALLER_SPIN_NANOS;
        while (j.finished.get() < j.tasks) {
            if (System.nanoTime() < yieldAfter) Thread.onSpinWait();
            else Thread.yield();
        }
    }

    /** Splits {@code [0, n)} into about {@code threads × perThread} chunks and runs {@code body(from, to)} on each. */
    public void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads * 4, (n + minChunk - 1) / Math.max(1, minChunk)));
        int step = (n + chunks - 1) / chunks;
        int count = (n + step - 1) / step;
        forEach(count, c -> body.run(c * step, Math.min(n, (c + 1) * step)));
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Stops the workers and waits for them to end; later calls to {@link #forEach} run on the caller alone.
     * Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
        if (inside.get()) return; // called from a task: a worker cannot wait for itself
        boolean interrupted = false;
        for (Worker w : workers) {
            while (w.isAlive()) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Whether any worker thread is still running, for tests of {@link #close}. */
    boolean workersAlive() {
        for (Worker w : workers) if (w.isAlive()) return true;
        return false;
    }

    private final class Worker extends Thread {
        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void run() {
            inside.set(Boolean.TRUE);
            Job last = null;
            while (!closed) {
                Job j = job;
                if (j != null && j != last) {
                    last = j;
                    j.work();
                    continue;
                }
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while ((j = job) == null || j == last) {
                    if (closed) return;
                    if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                    else LockSupport.parkNanos(this, 1_000_000);
                }
            }
        }
    }
}
