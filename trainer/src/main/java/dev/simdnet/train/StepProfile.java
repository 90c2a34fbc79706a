package dev.simdnet.train;

import dev.simdnet.nn.Profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training run's {@link Profile} per step: each layer's forward and backward milliseconds and forward GFLOP/s,
 * the stages around them, and the share of the step outside the layers that do multiply-adds (convolutions and
 * linear layers, whose time is mostly GEMM): what to fuse or parallelize next.
 */
public final class StepProfile {
    private StepProfile() {}

    /** One row a layer or stage: name, ms per step forward and backward, forward GFLOP/s (null for stages), share. */
    public static List<Map<String, Object>> rows(Profile p) {
        long steps = Math.max(1, p.steps());
        double total = p.totalNanos();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (var e : p.entries().entrySet()) {
            Profile.Entry v = e.getValue();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", e.getKey());
            r.put("forward_ms", round(v.forwardNanos() / 1e6 / steps));
            r.put("backward_ms", round(v.backwardNanos() / 1e6 / steps));
            r.put("forward_gflops", v.forwardMacs() == 0 ? null : round(2.0 * v.forwardMacs() / v.forwardNanos()));
            r.put("share", round((v.forwardNanos() + v.backwardNanos()) / total));
            rows.add(r);
        }
        return rows;
    }

    /** The share of the step spent outside the layers with multiply-adds. */
    public static double shareOutsideGemmLayers(Profile p) {
        double gemm = 0;
        for (Profile.Entry v : p.entries().values()) if (v.gemm()) gemm += v.forwardNanos() + v.backwardNanos();
        return 1 - gemm / p.totalNanos();
    }

    /** The rows as a table for people, with the step time and the share outside the GEMM layers. */
    public static String table(Profile p) {
        long steps = Math.max(1, p.steps());
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%-24s %10s %11s %9s %6s%n", "layer or stage", "forward ms", "backward ms", "GFLOP/s", "share"));
        for (Map<String, Object> r : rows(p))
            t.append(String.format(Locale.ROOT, "%-24s %10.3f %11.3f %9s %5.1f%%%n", r.get("name"), (Double) r.get("forward_ms"),
                    (Double) r.get("backward_ms"), r.get("forward_gflops") == null ? "" : String.format(Locale.ROOT, "%.1f", (Double) r.get("forward_gflops")),
                    100 * (Double) r.get("share")));
        t.append(String.format(Locale.ROOT, "step: %.3f ms over %d steps; %.1f%% of it outside the convolution and linear layers%n",
                p.totalNanos() / 1e6 / steps, steps, 100 * shareOutsideGemmLayers(p)));
        return t.toString();
    }

    private static double round(double v) { return Math.round(v * 1e4) / 1e4; }
}
