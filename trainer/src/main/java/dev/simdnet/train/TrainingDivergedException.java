package dev.simdnet.train;

/** The loss became NaN or infinite: the run stops instead of training on garbage. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
