package dev.simdnet.train;

import java.lang.management.ManagementFactory;

/**
 * Keeps the Java heap near the training's live set while the JIT warms up.
 *
 * <p>Until C2 has compiled a vector kernel, every vector operation in it allocates a box: the first two seconds
 * of a run produce about 4 GB of short-lived garbage while the live set stays near 64 MB. G1 reads the frequent
 * young collections as pressure and grows the heap to a gigabyte or more (its default limit is a quarter of the
 * machine's memory), and every page it grows into stays resident. A full collection at the moment the heap
 * grows past a limit gives those pages back, so peak resident memory stays near the limit. Once the kernels are
 * compiled the heap stops growing and {@link #check()} costs one call to {@code Runtime.totalMemory()}.
 *
 * <p>The limit follows the live set (a multiple of what a full collection leaves; about 150 MB once the real
 * batches run), so a larger model or data set never triggers a collection per step. An explicit {@code -Xmx}
 * already bounds the heap: then the guard is off.
 */
final class HeapGuard {
    /** Measured: 256 MB keeps training `fast` or `lenet` under 500 MB resident, for four to nine 10-20 ms collections. */
    private static final long FLOOR = 256L << 20;
    /** Limit over live set. Above what G1 keeps after a full collection (live / (1 - MaxHeapFreeRatio) = 1.67x). */
    private static final double HEADROOM = 2.5;

    private final Runtime runtime = Runtime.getRuntime();
    private final boolean enabled;
    private final long floor;
    private long limit;
    private int collections;
    private long liveAfterCollection;

    /** On unless the command line sized the heap itself ({@code -Xmx}, {@code -XX:MaxHeapSize}, {@code -XX:MaxRAM...}). */
    static HeapGuard forThisJvm() {
        boolean sized = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxHeapSize") || a.startsWith("-XX:MaxRAM")
                        || a.contains("HeapFreeRatio"));
        HeapGuard guard = new HeapGuard(!sized);
        if (guard.enabled) shrinkHarderAfterFullCollections();
        return guard;
    }

    /**
     * After a full collection G1 keeps up to {@code MaxHeapFreeRatio} (70%) of the heap free: 3.3 times the live
     * set. 40% (1.67 times) lets the limit sit closer to the live set. Both flags are "manageable": a running
     * JVM may change them; where it refuses, the defaults stay and only the limit is looser.
     */
    private static void shrinkHarderAfterFullCollections() {
        try {
            var vm = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            vm.setVMOption("MinHeapFreeRatio", "20");
            vm.setVMOption("MaxHeapFreeRatio", "40");
        } catch (RuntimeException e) {
            // not HotSpot, or the option is not writable: keep the defaults
        }
    }

    HeapGuard(boolean enabled) {
        this(enabled && Runtime.getRuntime().maxMemory() > 2 * FLOOR, FLOOR);
    }

    HeapGuard(boolean enabled, long floor) {
        this.enabled = enabled;
        this.floor = floor;
        this.limit = floor;
    }

    /** Collects when the heap has grown past the limit; call between training steps. */
    void check() {
        if (!enabled || runtime.totalMemory() <= limit) return;
        System.gc();
        collections++;
        liveAfterCollection = runtime.totalMemory() - runtime.freeMemory();
        limit = Math.max(floor, (long) (HEADROOM * liveAfterCollection));
    }

    int collections() { return collections; }

    long limit() { return limit; }

    long liveAfterCollection() { return liveAfterCollection; }
}
