package dev.simdnet.optim;

import dev.simdnet.nn.Parameter;
import dev.simdnet.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The per-parameter state tensors of an optimizer, created at zero on first use, by name. */
final class StateStore {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Set<String> suffixes;

    StateStore(Set<String> suffixes) {
        this.suffixes = Set.copyOf(suffixes);
    }

    /** The state {@code "<param>.<suffix>"}, a contiguous tensor shaped like the parameter. */
    Tensor get(Parameter p, String suffix) {
        Tensor t = tensors.computeIfAbsent(p.name() + "." + suffix, k -> Tensor.zeros(p.value().shape()));
        if (!t.sameShape(p.value()))
            throw new IllegalStateException("state " + p.name() + "." + suffix + " is " + t + " but the parameter is " + p.value());
        return t;
    }

    Map<String, Tensor> view() { return Collections.unmodifiableMap(tensors); }

    void load(Map<String, Tensor> saved) {
        for (var e : saved.entrySet()) {
            String name = e.getKey();
            int dot = name.lastIndexOf('.');
            if (dot < 0 || !suffixes.contains(name.substring(dot + 1)))
                throw new IllegalArgumentException("unknown optimizer state " + name + " (expected suffixes " + suffixes + ")");
        }
        tensors.clear();
        for (var e : saved.entrySet()) tensors.put(e.getKey(), e.getValue().copy());
    }

    /** The parameter's value as one contiguous range at offset 0, which the update kernels need. */
    static void requireContiguous(Parameter p) {
        if (p.value().offset() != 0 || p.grad().offset() != 0 || p.value().data().length != p.size() || p.grad().data().length != p.size())
            throw new IllegalArgumentException(p.name() + ": the optimizer needs parameters that own their whole array");
    }
}
