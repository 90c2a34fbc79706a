package dev.simdnet.model;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.nn.Context;
import dev.simdnet.nn.Parameter;
import dev.simdnet.nn.Sequential;
import dev.simdnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;

class ModelsTest {

    static long parameters(Sequential net) {
        return net.parameters().stream().mapToLong(Parameter::size).sum();
    }

    @Test
    void parameterCountsMatchThePublishedArchitectures() {
        // Deeplearning4j's LeNet MNIST example has 431,080 parameters; LeNet-5 61,706.
        assertThat(parameters(Models.build(ModelSpec.mnist("lenet", 0f), 1))).isEqualTo(431_080);
        assertThat(parameters(Models.build(ModelSpec.mnist("lenet5", 0f), 1))).isEqualTo(61_706);
        assertThat(parameters(Models.build(ModelSpec.mnist("fast", 0f), 1))).isBetween(25_000L, 35_000L);
        assertThat(parameters(Models.build(ModelSpec.mnist("fast-wide", 0f), 1))).isEqualTo(61_210);
    }

    @Test
    void everyModelMapsABatchToTenLogitsWithUniqueParameterNames() {
        try (Kernels k = Kernels.create("vector", 1)) {
            for (String name : Models.names()) {
                Sequential net = Models.build(ModelSpec.mnist(name, 0.1f), 3);
                Tensor y = net.forward(Tensor.zeros(2, 28, 28, 1), Context.inference(k));
                assertThat(y.shape()).as(name).containsExactly(2, 10);
                Set<String> names = new HashSet<>();
                for (Parameter p : net.parameters()) assertThat(names.add(p.name())).as(p.name()).isTrue();
                assertThat(net.macs(new int[] {28, 28, 1})).as(name).isPositive();
            }
        }
    }

    @Test
    void theSeedFixesTheWeights() {
        var a = Models.build(ModelSpec.mnist("fast", 0f), 7).parameters();
        var b = Models.build(ModelSpec.mnist("fast", 0f), 7).parameters();
        var c = Models.build(ModelSpec.mnist("fast", 0f), 8).parameters();
        assertSameBits("the same seed", a.get(0).value().toArray(), b.get(0).value().toArray());
        assertThat(a.get(0).value().toArray()).isNotEqualTo(c.get(0).value().toArray());
    }
}
