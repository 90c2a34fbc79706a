package dev.simdnet.nn;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A network described as settings and rebuilt: the same layers, names and shapes; damaged settings refused. */
class LayersTest {
    @Test
    void aDescribedNetworkIsRebuiltLayerForLayer() {
        Sequential net = ReplicaTest.net();
        List<Map<String, Object>> d = Layers.describe(net);
        assertThat(d).extracting(m -> m.get("type")).containsExactly("conv2d", "batchnorm", "relu", "maxpool2d", "dropout", "flatten", "linear");
        Sequential back = Layers.build(d);
        assertThat(back.layers()).extracting(Layer::name).isEqualTo(net.layers().stream().map(Layer::name).toList());
        assertThat(back.parameters()).hasSameSizeAs(net.parameters());
        for (int i = 0; i < net.parameters().size(); i++) {
            assertThat(back.parameters().get(i).name()).isEqualTo(net.parameters().get(i).name());
            assertThat(back.parameters().get(i).value().shape()).isEqualTo(net.parameters().get(i).value().shape());
        }
        assertThat(Layers.describe(back)).isEqualTo(d);
    }

    @Test
    void damagedSettingsAreOneClearMessage() {
        assertThatThrownBy(() -> Layers.build(List.of(Map.of("type", "lstm", "name", "x")))).hasMessageContaining("unknown layer type 'lstm'");
        assertThatThrownBy(() -> Layers.build(List.of(Map.of("type", "linear", "name", "fc", "in", 10, "out", 0))))
                .hasMessageContaining("'out' must be at least 1");
        assertThatThrownBy(() -> Layers.build(List.of(Map.of("type", "linear", "name", "fc", "in", 1e9, "out", 10))))
                .hasMessageContaining("'in' must be a whole number in [0, 65536]");
        assertThatThrownBy(() -> Layers.build(List.of(Map.of("type", "relu")))).hasMessageContaining("'name' must be a name");
        assertThatThrownBy(() -> Layers.build(List.of())).hasMessageContaining("at least one layer");
    }
}
