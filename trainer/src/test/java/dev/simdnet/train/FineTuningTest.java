package dev.simdnet.train;

import dev.simdnet.data.Normalization;
import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import dev.simdnet.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.simdnet.testing.SameBits.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --init: a trained model's weights as the start, a new head for another class count, other architectures refused. */
class FineTuningTest {
    static Model trained(String name, int classes) {
        ModelSpec spec = new ModelSpec(name, new int[] {28, 28, 1}, classes, 0f);
        return Model.of(spec, Models.build(spec, 7), new Model.Input(28, 28, 1, Normalization.MNIST, Model.Preprocess.DIGITS),
                Model.numberedClasses(classes));
    }

    @Test
    void everyLayerButANewHeadStartsFromTheTrainedWeights() {
        Model init = trained("fast", 10);
        List<String> notes = new ArrayList<>();
        ModelSpec target = FineTuning.specFor(init, 4, 0f);
        Sequential net = FineTuning.network(init, target, 99, notes::add);
        var from = init.network().parameters();
        var to = net.parameters();
        for (int i = 0; i < to.size() - 2; i++) assertSameBits(to.get(i).name(), to.get(i).value().toArray(), from.get(i).value().toArray());
        assertThat(to.getLast().name()).isEqualTo("fc1.bias");
        assertThat(to.get(to.size() - 2).value().shape()).containsExactly(4, 576);
        assertSameBits("bn3.running_var", net.buffers().get("bn3.running_var").toArray(), init.network().buffers().get("bn3.running_var").toArray());
        assertThat(notes).singleElement().asString().contains("new head fc1 for 4 classes").contains("the model had 10");

        // The same class count: every tensor copied, nothing said.
        notes.clear();
        Sequential same = FineTuning.network(init, FineTuning.specFor(init, 10, 0f), 99, notes::add);
        assertSameBits("fc1.weight", same.parameters().get(same.parameters().size() - 2).value().toArray(),
                from.get(from.size() - 2).value().toArray());
        assertThat(notes).isEmpty();
    }

    @Test
    void anotherArchitectureIsRefused() {
        Model init = trained("fast", 10);
        assertThatThrownBy(() -> FineTuning.network(init, ModelSpec.mnist("lenet", 0f), 1, s -> {}))
                .hasMessageContaining("holds a 'fast 28x28x1 classes=10").hasMessageContaining("fine-tune the same architecture");
    }
}
