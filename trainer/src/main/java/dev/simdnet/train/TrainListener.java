package dev.simdnet.train;

/** Receives progress while a run trains; the CLI prints it to stderr, tests ignore it. */
public interface TrainListener {

    /** Every few steps: where the run is, how fast it goes. */
    default void onStep(StepProgress p) {}

    /** At the end of each epoch, after validation. */
    default void onEpoch(EpochMetrics m) {}

    /** Free-form notes (early stop, checkpoint written, resumed). */
    default void onNote(String message) {}

    TrainListener SILENT = new TrainListener() {};

    /**
     * @param step        steps done, from 1
     * @param totalSteps  steps the run will take
     * @param epoch       epoch in progress, from 1
     * @param loss        mean training loss over the steps since the last report
     * @param lr          learning rate of the last step
     * @param imagesPerSecond training throughput since the last report
     * @param secondsLeft estimate of the remaining training time
     */
    record StepProgress(long step, long totalSteps, int epoch, double loss, float lr, double imagesPerSecond, double secondsLeft) {}

    /**
     * @param epoch           from 1
     * @param trainLoss       mean loss over the epoch's steps
     * @param trainAccuracy   accuracy on the (augmented) training batches, as seen during the epoch
     * @param valLoss         mean validation loss (NaN without a validation split)
     * @param valAccuracy     validation accuracy (NaN without a validation split)
     * @param lr              learning rate at the end of the epoch
     * @param imagesPerSecond training throughput over the epoch
     * @param seconds         training seconds of the epoch (validation excluded)
     */
    record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy, float lr,
                        double imagesPerSecond, double seconds) {}
}
