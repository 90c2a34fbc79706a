package dev.simdnet.kernel;

import java.lang.reflect.InvocationTargetException;

/** Chooses the kernels at start-up; the only place that knows the vector class by name. */
final class KernelSelector {
    private static final String VECTOR_CLASS = "dev.simdnet.kernel.VectorKernels";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private KernelSelector() {}

    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** Whether the scalar fall-back was announced: a program that opens several kernel sets hears it once. */
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    static Kernels create(String mode, int threads) {
        boolean present = vectorModulePresent();
        boolean warn = !present && mode.equals("auto") && !WARNED.getAndSet(true);
        return create(mode, threads, present, warn ? System.err : new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    }

    /** {@link #create(String, int)} with the module's presence and the warning stream given (for tests). */
    static Kernels create(String mode, int threads, boolean vectorPresent, java.io.PrintStream warnings) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        return switch (mode) {
            case "scalar" -> new ScalarKernels(new Parallel(threads));
            case "vector" -> {
                if (!vectorPresent)
                    throw new IllegalStateException("vector kernels need the " + VECTOR_MODULE
                            + " module: run java with --add-modules " + VECTOR_MODULE);
                yield vector(threads);
            }
            case "auto" -> {
                if (vectorPresent) yield vector(threads);
                warnings.println("warning: " + VECTOR_MODULE + " is not loaded, using the slow scalar kernels"
                        + " (run java with --add-modules " + VECTOR_MODULE + ")");
                yield new ScalarKernels(new Parallel(threads));
            }
            default -> throw new IllegalArgumentException("unknown kernels '" + mode + "': use scalar, vector or auto");
        };
    }

    private static Kernels vector(int threads) {
        try {
            return (Kernels) Class.forName(VECTOR_CLASS).getConstructor(Parallel.class).newInstance(new Parallel(threads));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException("cannot start the vector kernels", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start the vector kernels", e);
        }
    }
}
