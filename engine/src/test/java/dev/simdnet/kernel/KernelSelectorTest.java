package dev.simdnet.kernel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelSelectorTest {

    @Test
    void autoPicksTheVectorKernelsWhenTheModuleIsLoaded() {
        try (Kernels k = Kernels.create("auto", 1)) {
            assertThat(k.name()).isEqualTo("vector"); // the tests run with --add-modules jdk.incubator.vector
        }
    }

    @Test
    void withoutTheModuleAutoFallsBackToScalarWithOneWarningLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Kernels k = KernelSelector.create("auto", 2, false, new PrintStream(err, true, StandardCharsets.UTF_8))) {
            assertThat(k.name()).isEqualTo("scalar");
            assertThat(k.threads()).isEqualTo(2);
        }
        String warning = err.toString(StandardCharsets.UTF_8);
        assertThat(warning.lines()).hasSize(1);
        assertThat(warning).contains("--add-modules jdk.incubator.vector");
    }

    @Test
    void askingForVectorWithoutTheModuleOrForAnUnknownKindFails() {
        assertThatThrownBy(() -> KernelSelector.create("vector", 1, false, System.err)).hasMessageContaining("--add-modules");
        assertThatThrownBy(() -> Kernels.create("gpu", 1)).hasMessageContaining("scalar, vector or auto");
        assertThatThrownBy(() -> Kernels.create("scalar", 0)).hasMessageContaining("threads");
    }
}
