package dev.simdnet.train;

import dev.simdnet.model.Checkpoint;
import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import dev.simdnet.nn.Layer;
import dev.simdnet.nn.Linear;
import dev.simdnet.nn.Parameter;
import dev.simdnet.nn.Sequential;
import dev.simdnet.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The start of a fine-tuning run ({@code train --init}): a network of the trained model's architecture with its
 * weights. When the new data has another number of classes, the last layer is a new head, freshly initialized;
 * every other tensor must fit, or the model is refused.
 */
public final class FineTuning {
    private FineTuning() {}

    /** The architecture of {@code init} for {@code classes} classes and this dropout, with {@code init}'s weights. */
    public static ModelSpec specFor(Model init, int classes, float dropout) {
        ModelSpec s = init.spec();
        return new ModelSpec(s.name(), s.inputShape(), classes, dropout);
    }

    /**
     * A network for {@code target} (the registry architecture of {@code init}) holding {@code init}'s weights; a new
     * head where the class count differs, said through {@code note}.
     */
    public static Sequential network(Model init, ModelSpec target, long seed, Consumer<String> note) {
        if (!init.spec().name().equals(target.name()) || !Arrays.equals(init.spec().inputShape(), target.inputShape()))
            throw new IllegalArgumentException("--init holds a '" + init.spec().describe() + "' model; this run trains '" + target.describe()
                    + "': fine-tune the same architecture (drop --model, or give a checkpoint of that model)");
        Sequential net = Models.build(target, seed);
        Map<String, Tensor> from = new LinkedHashMap<>();
        for (Parameter p : init.network().parameters()) from.put(p.name(), p.value());
        from.putAll(init.network().buffers());
        String head = headOf(net);
        for (Map.Entry<String, Tensor> e : Checkpoint.weights(net, "").entrySet()) {
            Tensor src = from.get(e.getKey()), dst = e.getValue();
            boolean fits = src != null && src.sameShape(dst);
            if (fits) {
                System.arraycopy(src.data(), src.offset(), dst.data(), dst.offset(), dst.size());
            } else if (!Trainer.layerOf(e.getKey()).equals(head)) {
                throw new IllegalArgumentException("--init: " + e.getKey() + (src == null ? " is missing" : " has shape " + Arrays.toString(src.shape()))
                        + " but the network needs " + Arrays.toString(dst.shape()) + ": only the last layer can be replaced");
            }
        }
        if (init.classes() != target.classes())
            note.accept("fine-tuning: a new head " + head + " for " + target.classes() + " classes (the model had " + init.classes()
                    + "); every other layer starts from " + init.spec().name() + "'s weights");
        return net;
    }

    /** The name of the network's last linear layer, the classifier head. */
    static String headOf(Sequential net) {
        List<Layer> layers = net.layers();
        for (int i = layers.size() - 1; i >= 0; i--) if (layers.get(i) instanceof Linear l) return l.name();
        throw new IllegalArgumentException("the network has no linear layer to serve as a head");
    }
}
