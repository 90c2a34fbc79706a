package dev.simdnet.kernel;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The GEMM micro-tile of this machine, chosen once at start-up from the vector width and the number of vector
 * registers: AVX2 has 16 (-XX:UseAVX=2 gives AVX2 code on an AVX-512 CPU), AVX-512 and ARM (NEON, SVE) have 32.
 * The tile is two vectors wide and {@code mr} rows tall: 4 rows with 16 registers (8 accumulators, 2 vectors
 * of B, a broadcast; 6 rows spill), 8 with 32. {@code simdnet tune} measures both on this machine and keeps the
 * faster in a small file that later runs read ({@link KernelTuner}); {@code -Dsimdnet.gemm.mr=4|8} overrides both.
 *
 * @param vectorBits the Vector API's preferred width
 * @param registers  vector registers the JIT can use
 * @param mr         rows of the micro-tile
 * @param nr         columns of the micro-tile, in floats
 * @param source     how {@code mr} was chosen
 */
public record KernelConfig(int vectorBits, int registers, int mr, int nr, String source) {
    static final String MR_PROPERTY = "simdnet.gemm.mr";
    /** Where {@code simdnet tune} keeps its choice: {@code -Dsimdnet.cache.dir}, else the user's cache folder. */
    static final String CACHE_PROPERTY = "simdnet.cache.dir";

    static KernelConfig detect(int vectorBits, int lanes) {
        return detect(vectorBits, lanes, cacheFile(), System.err);
    }

    /**
     * The override, else a tuned choice from {@code cache} made on this machine (CPU, vector width, JDK and simdnet
     * version all the same), else the register rule. A cache file that cannot be read or was written elsewhere is
     * ignored with one line on {@code warnings}, never trusted.
     */
    static KernelConfig detect(int vectorBits, int lanes, Path cache, PrintStream warnings) {
        int registers = vectorRegisters();
        String given = System.getProperty(MR_PROPERTY);
        if (given != null) {
            int mr;
            try {
                mr = Integer.parseInt(given.strip());
            } catch (NumberFormatException e) {
                mr = -1;
            }
            if (mr != 4 && mr != 8)
                throw new IllegalArgumentException("-D" + MR_PROPERTY + " must be 4 or 8, got '" + given + "'");
            return new KernelConfig(vectorBits, registers, mr, 2 * lanes, "-D" + MR_PROPERTY);
        }
        if (cache != null && Files.isRegularFile(cache)) {
            try {
                Properties p = new Properties();
                try (var in = Files.newBufferedReader(cache)) {
                    p.load(in);
                }
                Map<String, String> key = machineKey(vectorBits);
                for (var e : key.entrySet())
                    if (!e.getValue().equals(p.getProperty(e.getKey())))
                        throw new IOException("it was tuned for another " + e.getKey() + " (" + p.getProperty(e.getKey()) + ", this is " + e.getValue() + ")");
                int mr = Integer.parseInt(p.getProperty("mr", "").strip());
                if (mr != 4 && mr != 8) throw new IOException("its tile height " + mr + " is not 4 or 8");
                return new KernelConfig(vectorBits, registers, mr, 2 * lanes, "tuned: " + cache);
            } catch (IOException | RuntimeException e) {
                warnings.println("simdnet: ignoring the kernel choice in " + cache + ": " + e.getMessage() + "; run 'simdnet tune' to measure again");
            }
        }
        return new KernelConfig(vectorBits, registers, registers >= 32 ? 8 : 4, 2 * lanes, registers + " vector registers");
    }

    /** The file {@code simdnet tune} writes: {@code <cache>/simdnet/kernels.properties}. */
    public static Path cacheFile() {
        String dir = System.getProperty(CACHE_PROPERTY);
        if (dir != null) return Path.of(dir, "kernels.properties");
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("simdnet").resolve("kernels.properties");
    }

    /** What a tuned choice holds for: the CPU, the vector width, the JDK and simdnet's version. */
    static Map<String, String> machineKey(int vectorBits) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("vector_bits", Integer.toString(vectorBits));
        m.put("jdk", Runtime.version().toString());
        String v = KernelConfig.class.getPackage().getImplementationVersion();
        m.put("simdnet", v == null ? "dev" : v);
        return m;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture stands in
        }
        return System.getProperty("os.arch");
    }

    /**
     * 32 on AArch64 and where HotSpot emits AVX-512 (UseAVX=3: EVEX code reaches 32 registers at any vector
     * width), else 16 (x86 with AVX2 or less).
     */
    static int vectorRegisters() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("aarch64") || arch.equals("arm64") || arch.startsWith("riscv")) return 32;
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(bean.getVMOption("UseAVX").getValue()) >= 3 ? 32 : 16;
        } catch (RuntimeException | LinkageError e) {
            return 16; // not HotSpot, or no such flag: the safe budget
        }
    }

    /** For logs and run records. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vector_bits", vectorBits);
        m.put("vector_registers", registers);
        m.put("gemm_tile", mr + "x" + nr);
        m.put("gemm_tile_source", source);
        return m;
    }
}
