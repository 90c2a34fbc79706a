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
public record KernelConfig(int vectorBits, int registers, int mr, int nr, String source, Blocks blocks) {
    static final String MR_PROPERTY = "simdnet.gemm.mr";
    static final String BLOCKS_PROPERTY = "simdnet.gemm.blocks";

    /**
     * The cache blocks of the GEMM loop nest: {@code kc} deep panels, {@code mc} rows of A packed together,
     * {@code nc} columns of B packed together.
     */
    public record Blocks(int kc, int mc, int nc, String source) {
        public Blocks {
            if (kc < 16 || kc > 4096 || mc < 8 || mc > 4096 || nc < 64 || nc > 65536)
                throw new IllegalArgumentException("GEMM blocks out of range: kc " + kc + " (16-4096), mc " + mc + " (8-4096), nc " + nc + " (64-65536)");
            if (mc % 8 != 0 || nc % 64 != 0)
                throw new IllegalArgumentException("GEMM blocks: mc must be a multiple of 8 and nc of 64 (whole tiles), got mc " + mc + ", nc " + nc);
        }

        @Override
        public String toString() { return "kc " + kc + ", mc " + mc + ", nc " + nc; }
    }
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
        Blocks blocks = blocks(CacheSizes.detect(), 2 * lanes);
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
            return new KernelConfig(vectorBits, registers, mr, 2 * lanes, "-D" + MR_PROPERTY, blocks);
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
                Blocks tunedBlocks = System.getProperty(BLOCKS_PROPERTY) != null ? blocks
                        : new Blocks(Integer.parseInt(p.getProperty("kc", "").strip()), Integer.parseInt(p.getProperty("mc", "").strip()),
                                Integer.parseInt(p.getProperty("nc", "").strip()), "tuned: " + cache);
                return new KernelConfig(vectorBits, registers, mr, 2 * lanes, "tuned: " + cache, tunedBlocks);
            } catch (IOException | RuntimeException e) {
                warnings.println("simdnet: ignoring the kernel choice in " + cache + ": " + e.getMessage() + "; run 'simdnet tune' to measure again");
            }
        }
        return new KernelConfig(vectorBits, registers, registers >= 32 ? 8 : 4, 2 * lanes, registers + " vector registers", blocks);
    }

    /** {@code -Dsimdnet.gemm.blocks=KC,MC,NC}, else the rule for these caches and a tile {@code nr} floats wide. */
    static Blocks blocks(CacheSizes caches, int nr) {
        String given = System.getProperty(BLOCKS_PROPERTY);
        if (given != null) {
            String[] f = given.split(",");
            try {
                if (f.length != 3) throw new NumberFormatException();
                return new Blocks(Integer.parseInt(f[0].strip()), Integer.parseInt(f[1].strip()), Integer.parseInt(f[2].strip()), "-D" + BLOCKS_PROPERTY);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("GEMM blocks: -D" + BLOCKS_PROPERTY + " must be KC,MC,NC, got '" + given + "'");
            }
        }
        return FIXED;
    }

    /** The blocks measured at 87% of the FMA peak at 1024³ on Zen 5 (AVX-512), the default everywhere until tuned. */
    static final Blocks FIXED = new Blocks(256, 96, 2048, "fixed");

    /**
     * The blocks these caches give by the usual analytical rule (BLIS): a {@code kc × nr} panel of B fills half of
     * L1, an {@code mc × kc} block of A half of L2, a {@code kc × nc} block of B half of this core's share of L3.
     * Caches differ more than the rule knows (associativity, prefetchers, what a VM reports), so it is one of the
     * candidates {@code simdnet tune} measures, never trusted unmeasured.
     */
    static Blocks fromCaches(CacheSizes c, int nr) {
        int kc = Math.clamp(c.l1d() / 2 / (4L * nr) / 16 * 16, 64, 512);
        int mc = Math.clamp(c.l2() / 2 / (4L * kc) / 8 * 8, 16, 1024);
        int nc = Math.clamp(c.l3() / Math.max(1, c.l3Sharers()) / 2 / (4L * kc) / 64 * 64, 256, 16384);
        return new Blocks(kc, mc, nc, "caches: " + c);
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
        m.put("gemm_blocks", blocks.toString());
        m.put("gemm_blocks_source", blocks.source());
        m.put("caches", CacheSizes.detect().toString());
        return m;
    }
}
