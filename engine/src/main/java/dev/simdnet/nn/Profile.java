package dev.simdnet.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training step's time goes, layer by layer ({@code train --profile}): a {@link Sequential} run with a
 * {@link Context#withProfile profiled context} adds each layer's forward and backward wall time here, and the
 * multiply-adds of its forward pass; the trainer adds the rest of the step (data, loss, optimizer) by name.
 * Not thread-safe: one training loop writes it.
 */
public final class Profile {
    /** One layer's or one stage's totals. */
    public static final class Entry {
        long forwardNanos, backwardNanos, forwardMacs, calls;
        boolean gemm;

        /** A convolution or linear layer: its time is mostly GEMM. */
        public boolean gemm() { return gemm; }

        public long forwardNanos() { return forwardNanos; }
        public long backwardNanos() { return backwardNanos; }
        public long forwardMacs() { return forwardMacs; }
        public long calls() { return calls; }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long steps;

    void forward(String layer, long nanos, long macs, boolean gemm) {
        Entry e = entries.computeIfAbsent(layer, k -> new Entry());
        e.gemm = gemm;
        e.forwardNanos += nanos;
        e.forwardMacs += macs;
        e.calls++;
    }

    void backward(String layer, long nanos) {
        entries.computeIfAbsent(layer, k -> new Entry()).backwardNanos += nanos;
    }

    /** Time spent outside the layers (data, loss, optimizer), under a stage name. */
    public void stage(String name, long nanos) {
        Entry e = entries.computeIfAbsent(name, k -> new Entry());
        e.forwardNanos += nanos;
        e.calls++;
    }

    /** Counts one training step (the profile's figures are per step). */
    public void countStep() { steps++; }

    public long steps() { return steps; }

    /** Layers and stages in first-seen order. */
    public Map<String, Entry> entries() { return entries; }

    public long totalNanos() {
        long t = 0;
        for (Entry e : entries.values()) t += e.forwardNanos + e.backwardNanos;
        return t;
    }
}
