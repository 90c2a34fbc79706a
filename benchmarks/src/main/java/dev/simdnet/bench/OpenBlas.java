package dev.simdnet.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The system's OpenBLAS, reached through the FFM API, as the reference the GEMM benchmarks compare with.
 * It lives in the benchmarks module only: the engine stays pure Java.
 *
 * <p>{@link #load()} loads the library named by the system property {@code openblas.lib} or else the
 * environment variable {@code OPENBLAS_LIB}; with neither, {@code libopenblas.so.0} or {@code libopenblas.so}
 * by the dynamic linker's search (Debian's {@code libopenblas0-pthread} installs the first). When none
 * loads it returns {@code null} and {@link #unavailableReason()} says why in one line.
 *
 * <p>The binding assumes 32-bit {@code blasint}, as in Debian's {@code libopenblas0-*} (not the
 * {@code libopenblas64} variant).
 */
public final class OpenBlas {
    // cblas.h's enums, passed as C ints.
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private static OpenBlas instance;
    private static String unavailable;
    private static boolean tried;

    private final String library;
    private final MethodHandle sgemm, setNumThreads, getNumThreads, coreName, config;

    private OpenBlas(String library, SymbolLookup lookup) {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
        ValueLayout p = ValueLayout.ADDRESS;
        sgemm = linker.downcallHandle(find(lookup, "cblas_sgemm"),
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, p, i, p, i, f, p, i));
        setNumThreads = linker.downcallHandle(find(lookup, "openblas_set_num_threads"), FunctionDescriptor.ofVoid(i));
        getNumThreads = linker.downcallHandle(find(lookup, "openblas_get_num_threads"), FunctionDescriptor.of(i));
        // The returned C strings are static inside OpenBLAS; reinterpret gives them a length to read up to.
        coreName = linker.downcallHandle(find(lookup, "openblas_get_corename"), FunctionDescriptor.of(p));
        config = linker.downcallHandle(find(lookup, "openblas_get_config"), FunctionDescriptor.of(p));
    }

    /** The process-wide OpenBLAS, or {@code null} when it cannot be loaded (see {@link #unavailableReason()}). */
    public static synchronized OpenBlas load() {
        if (tried) return instance;
        tried = true;
        // A library named by the user is the only one tried, so that naming a missing one shows the skip.
        String named = System.getProperty("openblas.lib", System.getenv("OPENBLAS_LIB"));
        List<String> candidates = named != null && !named.isBlank()
                ? List.of(named) : List.of("libopenblas.so.0", "libopenblas.so");
        List<String> failures = new ArrayList<>();
        for (String name : candidates) {
            try {
                // The global arena: the library stays loaded for the life of the JVM, as the handles need.
                instance = new OpenBlas(name, SymbolLookup.libraryLookup(name, Arena.global()));
                return instance;
            } catch (IllegalArgumentException | IllegalCallerException e) {
                failures.add(name + ": " + e.getMessage());
            }
        }
        unavailable = "OpenBLAS not found (" + String.join("; ", failures)
                + "); install libopenblas0-pthread or set OPENBLAS_LIB";
        return null;
    }

    /** Why {@link #load()} returned {@code null}, in one line; {@code null} when it loaded. */
    public static synchronized String unavailableReason() {
        load();
        return unavailable;
    }

    /** The library name or path it was loaded from. */
    public String library() {
        return library;
    }

    /**
     * Row-major {@code C = alpha·op(A)·op(B) + beta·C}, with the argument meaning of
     * {@link dev.simdnet.kernel.Kernels#sgemm}: {@code transA} means A is stored {@code k×m}, {@code transB}
     * means B is stored {@code n×k}. The segments must be native (off-heap) and large enough.
     */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    /** Sets the number of threads OpenBLAS runs its calls on (process-wide). */
    public void setNumThreads(int threads) {
        try {
            setNumThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    public int numThreads() {
        try {
            return (int) getNumThreads.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_num_threads failed", t);
        }
    }

    /** The kernel family OpenBLAS chose for this CPU (its DYNAMIC_ARCH detection, or OPENBLAS_CORETYPE). */
    public String coreName() {
        return string(coreName);
    }

    /** OpenBLAS's build description, beginning with its version. */
    public String config() {
        return string(config);
    }

    private static String string(MethodHandle function) {
        try {
            MemorySegment s = (MemorySegment) function.invokeExact();
            return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("OpenBLAS info call failed", t);
        }
    }

    private static MemorySegment find(SymbolLookup lookup, String symbol) {
        return lookup.find(symbol).orElseThrow(() -> new IllegalArgumentException("no symbol " + symbol));
    }

    /** Prints where OpenBLAS was found and which kernels it runs, or why it is absent; exits 0 either way. */
    public static void main(String[] args) {
        OpenBlas blas = load();
        if (blas == null) {
            System.out.println("openblas: absent: " + unavailableReason());
            return;
        }
        System.out.println("openblas: " + blas.library() + "; core " + blas.coreName() + "; config "
                + blas.config().strip() + "; threads " + blas.numThreads());
    }
}
