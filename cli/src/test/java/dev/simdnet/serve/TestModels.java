package dev.simdnet.serve;

import dev.simdnet.model.Checkpoint;
import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Small models for server tests: built in-process (untrained, fixed seed) and saved as real checkpoints. */
final class TestModels {
    private TestModels() {}

    /** A 'fast' network with seeded random weights, saved to {@code dir/name.safetensors}. */
    static Path untrained(Path dir, String name, long seed) throws IOException {
        ModelSpec spec = ModelSpec.mnist("fast", 0f);
        Path file = dir.resolve(name + ".safetensors");
        Checkpoint.save(file, spec, Models.build(spec, seed), Map.of("test_accuracy", "0.1"));
        return file;
    }

    static ServedModel served(String name, Path file, int replicas) throws Exception {
        return new ServedModel(name, () -> Model.load(file), Files.size(file), replicas, "auto");
    }
}
