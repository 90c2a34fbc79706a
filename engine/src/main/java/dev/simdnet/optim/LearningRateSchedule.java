package dev.simdnet.optim;

/**
 * The learning rate as a function of the step (0-based) and the total number of steps of the run.
 * Three shapes, each a record checked in its constructor.
 */
public sealed interface LearningRateSchedule {

    /** The learning rate for {@code step} in {@code [0, totalSteps)}; steps past the end get the last value. */
    float lr(long step, long totalSteps);

    /** The same rate throughout. */
    record Constant(float lr) implements LearningRateSchedule {
        public Constant {
            requirePositive("lr", lr);
        }

        @Override
        public float lr(long step, long totalSteps) { return lr; }
    }

    /**
     * A linear warm-up from {@code peakLr/warmupSteps} to {@code peakLr} over {@code warmupSteps}, then a
     * cosine decay to {@code minLr} at the last step.
     */
    record WarmupCosine(float peakLr, long warmupSteps, float minLr) implements LearningRateSchedule {
        public WarmupCosine {
            requirePositive("peakLr", peakLr);
            if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be at least 0, got " + warmupSteps);
            if (!(minLr >= 0f && minLr <= peakLr)) throw new IllegalArgumentException("minLr must be in [0, peakLr], got " + minLr);
        }

        @Override
        public float lr(long step, long totalSteps) {
            checkStep(step, totalSteps);
            if (step < warmupSteps) return (float) (peakLr * (step + 1.0) / warmupSteps);
            double progress = fraction(step - warmupSteps, totalSteps - warmupSteps);
            return (float) (minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        }
    }

    /**
     * One-cycle (Smith): linear warm-up from {@code maxLr/initialDiv} to {@code maxLr} over the first
     * {@code warmupFraction} of the run, then an anneal (cosine or linear) to {@code maxLr/initialDiv/finalDiv},
     * near 0, at the last step. PyTorch's OneCycleLR defaults: warmupFraction 0.3, initialDiv 25, finalDiv 1e4.
     */
    record OneCycle(float maxLr, double warmupFraction, double initialDiv, double finalDiv, boolean cosine)
            implements LearningRateSchedule {
        public OneCycle {
            requirePositive("maxLr", maxLr);
            if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new IllegalArgumentException("warmupFraction must be in [0, 1), got " + warmupFraction);
            if (!(initialDiv >= 1)) throw new IllegalArgumentException("initialDiv must be at least 1, got " + initialDiv);
            if (!(finalDiv >= 1)) throw new IllegalArgumentException("finalDiv must be at least 1, got " + finalDiv);
        }

        /** PyTorch's defaults with a cosine anneal. */
        public static OneCycle of(float maxLr) {
            return new OneCycle(maxLr, 0.3, 25, 1e4, true);
        }

        @Override
        public float lr(long step, long totalSteps) {
            checkStep(step, totalSteps);
            double start = maxLr / initialDiv;
            double end = start / finalDiv;
            long warmup = Math.round(warmupFraction * totalSteps);
            if (step < warmup) return (float) (start + (maxLr - start) * fraction(step, warmup));
            double t = fraction(step - warmup, totalSteps - warmup);
            double shape = cosine ? 0.5 * (1 + Math.cos(Math.PI * t)) : 1 - t;
            return (float) (end + (maxLr - end) * shape);
        }
    }

    private static void requirePositive(String what, float v) {
        if (!(v > 0f) || Float.isInfinite(v)) throw new IllegalArgumentException(what + " must be positive and finite, got " + v);
    }

    private static void checkStep(long step, long totalSteps) {
        if (totalSteps < 1) throw new IllegalArgumentException("totalSteps must be at least 1, got " + totalSteps);
        if (step < 0) throw new IllegalArgumentException("step must be at least 0, got " + step);
    }

    /** {@code i / (n - 1)} clamped to [0, 1]: 0 at the first of n steps, 1 at the last. */
    private static double fraction(long i, long n) {
        if (n <= 1) return 1;
        return Math.min(1.0, (double) i / (n - 1));
    }
}
