package dev.simdnet.kernel;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tile follows the register file; the override is checked; the choice is what the GEMM runs. */
class KernelConfigTest {
    @Test
    void theTileFollowsTheRegistersAndTheWidth() {
        KernelConfig c = VectorGemm.CONFIG;
        assertThat(c.vectorBits()).isEqualTo(FloatVector.SPECIES_PREFERRED.vectorBitSize());
        assertThat(c.nr()).isEqualTo(2 * FloatVector.SPECIES_PREFERRED.length());
        assertThat(c.mr()).isEqualTo(VectorGemm.MR);
        if (c.source().endsWith("vector registers")) assertThat(c.mr()).isEqualTo(c.registers() >= 32 ? 8 : 4);
        boolean x86 = System.getProperty("os.arch").equals("amd64");
        // The 256-bit execution runs with -XX:UseAVX=2: AVX2 code, 16 registers, whatever the CPU.
        if (x86 && "256".equals(System.getProperty("simdnet.test.max-vector-bits"))) assertThat(c.registers()).isEqualTo(16);
        if (x86 && c.vectorBits() == 512) assertThat(c.registers()).isEqualTo(32);
        assertThat(c.toMap()).containsEntry("gemm_tile", c.mr() + "x" + c.nr()).containsKeys("vector_registers", "gemm_tile_source");
    }

    @Test
    void theOverrideWinsAndABadOneIsRefused() {
        String saved = System.getProperty(KernelConfig.MR_PROPERTY);
        try {
            System.setProperty(KernelConfig.MR_PROPERTY, "4");
            assertThat(KernelConfig.detect(512, 16).mr()).isEqualTo(4);
            assertThat(KernelConfig.detect(512, 16).source()).contains(KernelConfig.MR_PROPERTY);
            System.setProperty(KernelConfig.MR_PROPERTY, "6");
            assertThatThrownBy(() -> KernelConfig.detect(256, 8)).hasMessageContaining("must be 4 or 8, got '6'");
        } finally {
            if (saved == null) System.clearProperty(KernelConfig.MR_PROPERTY);
            else System.setProperty(KernelConfig.MR_PROPERTY, saved);
        }
    }

    @Test
    void theBlocksOverrideWinsAndABadOneIsRefused() {
        String saved = System.getProperty(KernelConfig.BLOCKS_PROPERTY);
        CacheSizes caches = new CacheSizes(32 << 10, 512 << 10, 32 << 20, 16, "test");
        try {
            System.setProperty(KernelConfig.BLOCKS_PROPERTY, "128, 64, 1024");
            assertThat(KernelConfig.blocks(caches, 16)).isEqualTo(new KernelConfig.Blocks(128, 64, 1024, "-D" + KernelConfig.BLOCKS_PROPERTY));
            for (String bad : new String[] {"128,64", "a,b,c", "128,60,1024", "128,64,1000", "8,64,1024", "128,64,1024,5"}) {
                System.setProperty(KernelConfig.BLOCKS_PROPERTY, bad);
                assertThatThrownBy(() -> KernelConfig.blocks(caches, 16)).as(bad).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("GEMM blocks").satisfiesAnyOf(
                                e -> assertThat(e.getMessage()).contains("KC,MC,NC"), e -> assertThat(e.getMessage()).contains("mc"));
            }
        } finally {
            if (saved == null) System.clearProperty(KernelConfig.BLOCKS_PROPERTY);
            else System.setProperty(KernelConfig.BLOCKS_PROPERTY, saved);
        }
        // In force: what the GEMM runs is what the configuration says.
        assertThat(VectorGemm.BLOCKS).isEqualTo(VectorGemm.CONFIG.blocks());
        assertThat(VectorGemm.CONFIG.toMap()).containsKeys("gemm_blocks", "gemm_blocks_source");
        String forced = System.getProperty(KernelConfig.BLOCKS_PROPERTY);
        if (forced != null) assertThat(VectorGemm.CONFIG.blocks().source()).contains(KernelConfig.BLOCKS_PROPERTY);
    }

    @Test
    void theCacheRuleGivesWholeTilesAndTheTunerMeasuresItBesideTheFixedBlocks() {
        // Zen 3 as Linux describes it: 32 KiB L1d, 512 KiB L2, 32 MiB L3 for 16 logical CPUs; AVX2 tile 16 wide.
        KernelConfig.Blocks zen3 = KernelConfig.fromCaches(new CacheSizes(32 << 10, 512 << 10, 32L << 20, 16, "t"), 16);
        assertThat(zen3).extracting(KernelConfig.Blocks::kc, KernelConfig.Blocks::mc, KernelConfig.Blocks::nc).containsExactly(256, 256, 1024);
        // Absurd caches stay within bounds.
        KernelConfig.Blocks tiny = KernelConfig.fromCaches(new CacheSizes(1024, 2048, 4096, 1, "t"), 32);
        assertThat(tiny.kc()).isEqualTo(64);
        assertThat(tiny.mc() % 8).isZero();
        assertThat(tiny.nc() % 64).isZero();
        assertThat(KernelTuner.candidates(new CacheSizes(32 << 10, 512 << 10, 32L << 20, 16, "t"), 16))
                .extracting(KernelTuner.Candidate::mr).containsExactly(4, 4, 8, 8);
        // Where the rule gives the fixed blocks, each tile height is measured once.
        CacheSizes same = new CacheSizes(32 << 10, 192 << 10, 32L << 20, 8, "t");
        assertThat(KernelConfig.fromCaches(same, 16)).extracting(KernelConfig.Blocks::kc, KernelConfig.Blocks::mc, KernelConfig.Blocks::nc)
                .containsExactly(256, 96, 2048);
        assertThat(KernelTuner.candidates(same, 16)).hasSize(2);
    }

    @Test
    void aTunedChoiceIsReadBackAndAForeignOrCorruptFileIsIgnoredWithOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("kernels.properties");
        int rule = KernelConfig.vectorRegisters() >= 32 ? 8 : 4, other = rule == 8 ? 4 : 8;
        KernelTuner.write(file, new KernelTuner.Candidate(other, new KernelConfig.Blocks(128, 64, 1024, "t")), java.util.List.of(), 512);
        var warnings = new java.io.ByteArrayOutputStream();
        var ps = new java.io.PrintStream(warnings, true);
        KernelConfig tuned = KernelConfig.detect(512, 16, file, ps);
        assertThat(tuned.mr()).isEqualTo(other);
        assertThat(tuned.source()).startsWith("tuned: ");
        if (System.getProperty(KernelConfig.BLOCKS_PROPERTY) == null)
            assertThat(tuned.blocks()).isEqualTo(new KernelConfig.Blocks(128, 64, 1024, "tuned: " + file));
        assertThat(warnings.size()).isZero();

        // Tuned at another width (or on another CPU, JDK, version): not trusted.
        KernelConfig foreign = KernelConfig.detect(256, 8, file, ps);
        assertThat(foreign.mr()).isEqualTo(rule);
        assertThat(warnings.toString()).contains("ignoring the kernel choice").contains("another vector_bits").contains("simdnet tune");

        warnings.reset();
        java.nio.file.Files.write(file, new byte[] {0, (byte) 0xFF, 'm', 'r', '=', '9', '\n'});
        assertThat(KernelConfig.detect(512, 16, file, ps).mr()).isEqualTo(rule);
        assertThat(warnings.toString().lines().count()).isEqualTo(1);
    }

    @Test
    void tuningMeasuresBothTilesAndWritesTheFasterForTheNextRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String saved = System.getProperty(KernelConfig.CACHE_PROPERTY);
        System.setProperty(KernelConfig.CACHE_PROPERTY, dir.toString());
        try (Kernels k = Kernels.create("vector", 1)) {
            KernelTuner.Result r = KernelTuner.tune(k, 0.005);
            int candidates = KernelTuner.candidates(CacheSizes.detect(), VectorGemm.CONFIG.nr()).size();
            assertThat(candidates).isIn(2, 4);
            assertThat(r.rows()).hasSize(3 * candidates).allSatisfy(row -> assertThat(row.gflops()).isPositive());
            assertThat(r.file()).isEqualTo(dir.resolve("kernels.properties")).exists();
            KernelConfig next = KernelConfig.detect(VectorGemm.CONFIG.vectorBits(), VectorGemm.CONFIG.nr() / 2, r.file(), System.err);
            assertThat(next.mr()).isEqualTo(r.chosen().mr());
            if (System.getProperty(KernelConfig.BLOCKS_PROPERTY) == null)
                assertThat(next.blocks()).extracting(KernelConfig.Blocks::kc, KernelConfig.Blocks::mc, KernelConfig.Blocks::nc)
                        .containsExactly(r.chosen().blocks().kc(), r.chosen().blocks().mc(), r.chosen().blocks().nc());
        } finally {
            if (saved == null) System.clearProperty(KernelConfig.CACHE_PROPERTY);
            else System.setProperty(KernelConfig.CACHE_PROPERTY, saved);
        }
        try (Kernels scalar = Kernels.create("scalar", 1)) {
            assertThatThrownBy(() -> KernelTuner.tune(scalar, 0.01)).hasMessageContaining("vector kernels");
        }
    }
}
