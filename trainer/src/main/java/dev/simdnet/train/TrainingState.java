package dev.simdnet.train;

import dev.simdnet.model.Checkpoint;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.SafeTensors;
import com.fasterxml.jackson.jr.ob.JSON;
import dev.simdnet.nn.Sequential;
import dev.simdnet.optim.Optimizer;
import dev.simdnet.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code train --resume} needs to continue a run exactly: weights ({@code model.*}), optimizer
 * state ({@code optim.*}), the best weights so far ({@code best.*}), the step, the history, and the config it
 * must be resumed with. One safetensors file, written atomically at every epoch's end and on Ctrl-C.
 */
record TrainingState(long step, double bestValAccuracy, int bestEpoch, int sinceBest, Map<String, Tensor> bestWeights,
                     List<TrainListener.EpochMetrics> history, double trainSeconds) {

    private static final String KIND = "simdnet-training-state/1";

    static void save(Path file, ModelSpec spec, TrainConfig config, Sequential net, Optimizer optimizer, long step,
                     double bestVal, int bestEpoch, int sinceBest, Map<String, Tensor> best,
                     List<TrainListener.EpochMetrics> history, double trainSeconds) throws IOException {
        LinkedHashMap<String, Tensor> t = Checkpoint.weights(net, "model.");
        for (var e : optimizer.state().entrySet()) t.put("optim." + e.getKey(), e.getValue());
        if (best != null) for (var e : best.entrySet()) t.put("best." + e.getKey(), e.getValue());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", KIND);
        meta.put("model", spec.describe());
        meta.put("config", JSON.std.asString(config.toMap()));
        meta.put("step", Long.toString(step));
        meta.put("optimizer_steps", Long.toString(optimizer.steps()));
        meta.put("best_val_accuracy", Double.toString(bestVal));
        meta.put("best_epoch", Integer.toString(bestEpoch));
        meta.put("since_best", Integer.toString(sinceBest));
        meta.put("train_seconds", Double.toString(trainSeconds));
        List<Map<String, Object>> h = new ArrayList<>();
        for (var m : history) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("epoch", m.epoch());
            r.put("train_loss", m.trainLoss());
            r.put("train_accuracy", m.trainAccuracy());
            r.put("val_loss", Double.toString(m.valLoss()));
            r.put("val_accuracy", Double.toString(m.valAccuracy()));
            r.put("lr", m.lr());
            r.put("images_per_second", m.imagesPerSecond());
            r.put("seconds", m.seconds());
            h.add(r);
        }
        meta.put("history", JSON.std.asString(h));
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafeTensors.write(file, t, meta);
    }

    static TrainingState load(Path file, ModelSpec spec, TrainConfig config, Sequential net, Optimizer optimizer) throws IOException {
        if (!Files.exists(file))
            throw new Checkpoint.CheckpointException("nothing to resume: " + file + " does not exist (train once with --state-dir, or drop --resume)");
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> meta = c.metadata();
        if (!KIND.equals(meta.get("format")))
            throw new Checkpoint.CheckpointException(file + " is not a simdnet training state");
        TrainConfig saved = TrainConfig.fromMap(JSON.std.mapFrom(meta.get("config")));
        if (!saved.with("threads", config.threads()).equals(config))
            throw new Checkpoint.CheckpointException("the run in " + file.getParent() + " was started with other options ("
                    + JSON.std.asString(saved.toMap()) + "): resume it with the same options");
        Checkpoint.copyWeights(c.tensors(), "model.", net, file);
        Map<String, Tensor> optim = new LinkedHashMap<>();
        Map<String, Tensor> best = new LinkedHashMap<>();
        for (var e : c.tensors().entrySet()) {
            if (e.getKey().startsWith("optim.")) optim.put(e.getKey().substring(6), e.getValue());
            if (e.getKey().startsWith("best.")) best.put(e.getKey().substring(5), e.getValue());
        }
        optimizer.loadState(optim, Long.parseLong(meta.get("optimizer_steps")));
        List<TrainListener.EpochMetrics> history = new ArrayList<>();
        for (Object o : JSON.std.listFrom(meta.get("history"))) {
            @SuppressWarnings("unchecked") Map<String, Object> r = (Map<String, Object>) o;
            history.add(new TrainListener.EpochMetrics(((Number) r.get("epoch")).intValue(), ((Number) r.get("train_loss")).doubleValue(),
                    ((Number) r.get("train_accuracy")).doubleValue(), Double.parseDouble((String) r.get("val_loss")),
                    Double.parseDouble((String) r.get("val_accuracy")), ((Number) r.get("lr")).floatValue(),
                    ((Number) r.get("images_per_second")).doubleValue(), ((Number) r.get("seconds")).doubleValue()));
        }
        return new TrainingState(Long.parseLong(meta.get("step")), Double.parseDouble(meta.get("best_val_accuracy")),
                Integer.parseInt(meta.get("best_epoch")), Integer.parseInt(meta.get("since_best")), best.isEmpty() ? null : best,
                history, Double.parseDouble(meta.get("train_seconds")));
    }
}
