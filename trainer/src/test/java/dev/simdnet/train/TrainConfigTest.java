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
        assertThatThrownBy(() -> TrainConfig.preset("fast").with("model", "resnet"))
                .hasMessageContaining("unknown model 'resnet'").hasMessageContaining("mlp, lenet5, lenet, fast, fast-wide, best");
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheirName() {
        TrainConfig c = TrainConfig.preset("fast");
        assertThatThrownBy(() -> c.with("lr", -1f)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> c.with("batch", 0)).hasMessageContaining("batch");
        assertThatThrownBy(() -> c.with("dropout", 1f)).hasMessageContaining("dropout");
        assertThatThrownBy(() -> c.with("epochs", 0)).hasMessageContaining("epochs");
        assertThatThrownBy(() -> c.with("optimizer", "rmsprop")).hasMessageContaining("sgd or adam");
        assertThatThrownBy(() -> c.with("threads", 0)).hasMessageContaining("threads");
        assertThatThrownBy(() -> c.with("dataset", "cifar")).hasMessageContaining("unknown dataset 'cifar': use mnist, fashion, folder or mnist-pen");
    }

    @Test
    void mapRoundTripKeepsEveryField() {
        TrainConfig c = TrainConfig.preset("best").with("seed", 42).with("lr", 0.05f).with("epochs", 2.5);
        assertThat(TrainConfig.fromMap(c.toMap())).isEqualTo(c);
    }

    @Test
    void modelSpecRoundTripsThroughItsDescription() {
        ModelSpec s = ModelSpec.mnist("lenet", 0.25f);
        assertThat(ModelSpec.parse(s.describe())).isEqualTo(s);
        assertThatThrownBy(() -> ModelSpec.parse("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneOverrideMechanismTakesTypedValuesTheirMapFormAndRefusesUnknownNames() {
        TrainConfig c = TrainConfig.preset("fast");
        TrainConfig a = c.with("optimizer", TrainConfig.OptimizerKind.ADAM, "epochs", 2, "lr", 0.01f);
        TrainConfig b = c.with(java.util.Map.of("optimizer", "adam", "epochs", "2", "lr", 0.01));
        assertThat(a).isEqualTo(b);
        assertThat(a.optimizer()).isEqualTo(TrainConfig.OptimizerKind.ADAM);
        assertThat(a.toMap()).containsEntry("optimizer", "adam").containsEntry("schedule", "onecycle").containsEntry("augment", "none");
        assertThatThrownBy(() -> c.with("learningRate", 0.1)).hasMessageContaining("unknown training option 'learningRate'")
                .hasMessageContaining("lr");
        assertThatThrownBy(() -> c.with("batch", 12.5)).hasMessageContaining("batch must be a whole number");
        assertThatThrownBy(() -> c.with("lr", "fast")).hasMessageContaining("lr must be a number");
        assertThatThrownBy(() -> c.with("schedule", "linear")).hasMessageContaining("use onecycle, cosine or constant");
        assertThatThrownBy(() -> c.with("augment", "heavy")).hasMessageContaining("use none, light, pen, strokes, strong or crop-flip");
    }

    @Test
    void presetsKeepTheirRecipes() {
        // The values the presets were chosen with (comments in TrainConfig): a refactoring must not move them.
        TrainConfig fast = TrainConfig.preset("fast");
        assertThat(fast.toMap()).containsEntry("model", "fast").containsEntry("epochs", 0.9).containsEntry("batch", 128)
                .containsEntry("lr", 0.2f).containsEntry("weightDecay", 5e-3f).containsEntry("warmup", 0.25f).containsEntry("labelSmoothing", 0.05f);
        TrainConfig lenet = TrainConfig.preset("lenet");
        assertThat(lenet.optimizer()).isEqualTo(TrainConfig.OptimizerKind.ADAM);
        assertThat(lenet.batch()).isEqualTo(64);
        assertThat(lenet.lr()).isEqualTo(3e-3f);
        assertThat(TrainConfig.preset("digits").augment()).isEqualTo(TrainConfig.Augmentation.PEN);
        assertThat(TrainConfig.preset("digits").toMap()).containsEntry("dataset", "mnist-pen").containsEntry("epochs", 15.0);
        assertThat(TrainConfig.preset("digits").dataset().kind()).isEqualTo(dev.simdnet.data.DatasetKind.MNIST);
        assertThat(TrainConfig.preset("best").dropout()).isEqualTo(0.25f);
        assertThat(fast.dataset()).isEqualTo(TrainConfig.DataSet.MNIST);
        assertThat(fast.with("dataset", "fashion").dataset().kind()).isEqualTo(dev.simdnet.data.DatasetKind.FASHION);
        assertThat(fast.with("dataset", "folder").toMap()).containsEntry("dataset", "folder");
    }
}
