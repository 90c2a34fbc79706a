package dev.simdnet.kernel;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The GEMM micro-tile of this machine, chosen once at start-up from the vector width and the number of vector
 * registers: AVX2 has 16 (-XX:UseAVX=2 gives AVX2 code on an AVX-512 CPU), AVX-512 and ARM (NEON, SVE) have 32.
 * The tile is two vectors wide and {@code mr} rows tall: 4 rows with 16 registers (8 accumulators, 2 vectors
 * of B, a broadcast; 6 rows spill), 8 with 32. {@code -Dsimdnet.gemm.mr=4|8} overrides the choice.
 *
 * @param vectorBits the Vector API's preferred width
 * @param registers  vector registers the JIT can use
 * @param mr         rows of the micro-tile
 * @param nr         columns of the micro-tile, in floats
 * @param source     how {@code mr} was chosen
 */
record KernelConfig(int vectorBits, int registers, int mr, int nr, String source) {
    static final String MR_PROPERTY = "simdnet.gemm.mr";

    static KernelConfig detect(int vectorBits, int lanes) {
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
        return new KernelConfig(vectorBits, registers, registers >= 32 ? 8 : 4, 2 * lanes, registers + " vector registers");
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
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vector_bits", vectorBits);
        m.put("vector_registers", registers);
        m.put("gemm_tile", mr + "x" + nr);
        m.put("gemm_tile_source", source);
        return m;
    }
}
