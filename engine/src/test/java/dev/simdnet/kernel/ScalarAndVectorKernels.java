package dev.simdnet.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * For tests that hold the vector kernels to their scalar twins: both on two threads, opened once per test class
 * and closed after it.
 */
public abstract class ScalarAndVectorKernels {
    protected static Kernels scalar;
    protected static Kernels vector;

    @BeforeAll
    static void openKernels() {
        scalar = Kernels.create("scalar", 2);
        vector = Kernels.create("vector", 2);
    }

    @AfterAll
    static void closeKernels() {
        scalar.close();
        vector.close();
    }
}
