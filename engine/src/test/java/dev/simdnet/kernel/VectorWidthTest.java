package dev.simdnet.kernel;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Surefire executions at 256 and 128 bits really run at those widths: a flag lost on the way (an argLine
 * overridden, say) would leave the suite testing the native width three times and say nothing.
 */
class VectorWidthTest {
    @Test
    void theWidthIsAtMostTheOneTheExecutionAsksFor() {
        String max = System.getProperty("simdnet.test.max-vector-bits");
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        System.out.println("vector width under test: " + bits + " bits" + (max == null ? " (native)" : " (at most " + max + " asked)"));
        if (max != null) assertThat(bits).isLessThanOrEqualTo(Integer.parseInt(max));
        assertThat(bits).isGreaterThanOrEqualTo(64);
    }
}
