package dev.simdnet.train;

import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainConfigTest {

    @Test
    void everyPresetIsValidAndNamesAKnownModel() {
        for (String p : TrainConfig.PRESETS) assertThat(Models.exists(TrainConfig.preset(p).model())).isTrue();
    }

    @Test
    void unknownPresetAndModelListTheKnownOnes() {
        assertThatThrownBy(() -> TrainConfig.preset("fastest")).hasMessageContaining("baseline, fast, best");
        assertThatThrownBy(() -> TrainConfig.preset("fast").withModel("resnet"))
                .hasMessageContaining("unknown model 'resnet'").hasMessageContaining("mlp, lenet5, lenet, fast, best");
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheirName() {
        TrainConfig c = TrainConfig.preset("fast");
        assertThatThrownBy(() -> c.withLr(-1f)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> c.withBatch(0)).hasMessageContaining("batch");
        assertThatThrownBy(() -> c.withDropout(1f)).hasMessageContaining("dropout");
        assertThatThrownBy(() -> c.withEpochs(0)).hasMessageContaining("epochs");
        assertThatThrownBy(() -> c.withOptimizer("rmsprop")).hasMessageContaining("sgd or adam");
        assertThatThrownBy(() -> c.withThreads(0)).hasMessageContaining("threads");
        assertThatThrownBy(() -> c.withDataset("cifar")).hasMessageContaining("mnist or fashion");
    }

    @Test
    void mapRoundTripKeepsEveryField() {
        TrainConfig c = TrainConfig.preset("best").withSeed(42).withLr(0.05f).withEpochs(2.5);
        assertThat(TrainConfig.fromMap(c.toMap())).isEqualTo(c);
    }

    @Test
    void modelSpecRoundTripsThroughItsDescription() {
        ModelSpec s = ModelSpec.mnist("lenet", 0.25f);
        assertThat(ModelSpec.parse(s.describe())).isEqualTo(s);
        assertThatThrownBy(() -> ModelSpec.parse("garbage")).isInstanceOf(IllegalArgumentException.class);
    }
}
