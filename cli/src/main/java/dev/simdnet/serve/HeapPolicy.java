package dev.simdnet.serve;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's heap policy, set at run time through HotSpot's manageable flags, so that {@code java -jar cli.jar
 * serve} with no JVM options gives memory back once a burst of requests is over. With the JVM's defaults (G1, a
 * heap of up to a quarter of RAM) 10 s of wrk at 16 connections left the server at 0.9-1.0 GB resident; with a
 * periodic collection after 2 s without one and G1 shrinking to 10% free, 0.15 GB 7 s after the load, at the same requests/s
 * (BENCHMARKS.md, Serving). What the user set on the command line is left alone, and so is a JVM that does not
 * have the flags (another GC, another JVM).
 */
public final class HeapPolicy {
    private HeapPolicy() {}

    /**
     * Flags and values: a concurrent cycle after 2 s with no collection, then a heap at most 10% free. In this order:
     * MinHeapFreeRatio may never exceed MaxHeapFreeRatio (defaults 40 and 70), so the minimum comes down first.
     */
    static final List<String[]> FLAGS = List.of(
            new String[] {"G1PeriodicGCInterval", "2000"},
            new String[] {"MinHeapFreeRatio", "5"},
            new String[] {"MaxHeapFreeRatio", "10"});

    /** Sets each flag the user left at its default; returns {@code NAME=VALUE} for those set. */
    public static List<String> applyForServing() {
        List<String> set = new ArrayList<>();
        HotSpotDiagnosticMXBean hs;
        try {
            hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            return set; // not HotSpot
        }
        if (hs == null || !usesG1()) return set;
        for (String[] f : FLAGS) {
            try {
                VMOption o = hs.getVMOption(f[0]);
                if (o.getOrigin() != VMOption.Origin.DEFAULT || !o.isWriteable()) continue;
                hs.setVMOption(f[0], f[1]);
                set.add(f[0] + "=" + f[1]);
            } catch (IllegalArgumentException | SecurityException e) {
                // the flag is absent or refuses the value on this JVM: keep its default
            }
        }
        return set;
    }

    /**
     * After {@link #applyForServing()} set the flags: one collection now, so that G1 gives back the initial heap it
     * sized from RAM (384 MB on 24 GB) before the warm-up's garbage fills it: resident memory then grows with what
     * serving needs, from about 0.1 GB.
     */
    public static void shrinkNow(List<String> applied) {
        if (applied.stream().anyMatch(f -> f.startsWith("MaxHeapFreeRatio="))) System.gc();
    }

    static boolean usesG1() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().anyMatch(b -> b.getName().startsWith("G1"));
    }
}
