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
        if (System.getProperty(KernelConfig.MR_PROPERTY) == null) assertThat(c.mr()).isEqualTo(c.registers() >= 32 ? 8 : 4);
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
}
