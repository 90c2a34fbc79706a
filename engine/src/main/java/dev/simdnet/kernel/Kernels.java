package dev.simdnet.kernel;

/**
 * Every numeric loop the engine runs, behind one interface with two implementations: {@link ScalarKernels}
 * (plain Java, the reference and test oracle) and {@code VectorKernels} (the Vector API, the fast path).
 * Pick one with {@link #create(String, int)}.
 *
 * <p>Conventions. Matrices are row-major with a leading dimension ({@code lda}: floats between rows).
 * Arrays come with offsets; callers validate shapes once, kernels do not. Gradients of parameters are
 * <em>accumulated</em> ({@code +=}) so a step can sum several batches; gradients of inputs are
 * <em>overwritten</em>. A kernel's result never depends on the number of threads beyond float rounding,
 * and is bit-identical run to run for a fixed thread count.
 */
public interface Kernels extends AutoCloseable {

    /** "scalar" or "vector", for logs and run records. */
    String name();

    /** The pool the kernels run on; its size is the thread count. */
    Parallel parallel();

    default int threads() { return parallel().threads(); }

    /** How these kernels are set up on this machine (vector width, GEMM tile), for logs and run records. */
    default java.util.Map<String, Object> configuration() { return java.util.Map.of(); }

    /** Scratch arrays reused from call to call (im2col buffers of the convolution). */
    Workspace workspace();

    /** Releases the pool's threads. */
    @Override
    default void close() { parallel().close(); }

    // ---------------------------------------------------------------- GEMM

    /**
     * {@code C = op(A)·op(B) + beta·C} where {@code op(A)} is {@code m×k} and {@code op(B)} is {@code k×n}.
     * {@code transA}: A is stored {@code k×m}; {@code transB}: B is stored {@code n×k}. {@code beta} is 0
     * (C is overwritten, its old contents ignored even if NaN) or any other value (C is scaled and added to).
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    // ---------------------------------------------------------------- convolution

    /** Writes the im2col matrix {@code (g.rows() × g.cols())} of the NHWC input; padding reads as 0. */
    void im2col(ConvGeometry g, float[] x, int xOff, float[] col, int colOff);

    /** The adjoint of im2col: overwrites {@code dx} (NHWC) with the sum of the columns that read each input. */
    void col2im(ConvGeometry g, float[] col, int colOff, float[] dx, int dxOff);

    /**
     * {@code y = conv(x, w) + bias}: x {@code (batch, inH, inW, inC)}, w {@code (outC, kH, kW, inC)},
     * bias {@code (outC)}, y {@code (batch, outH, outW, outC)} overwritten.
     */
    void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                       float[] y, int yOff);

    /**
     * Backward of {@link #conv2dForward}: accumulates {@code dw} and {@code dbias}, overwrites {@code dx}
     * unless it is {@code null} (the first layer needs no input gradient).
     */
    void conv2dBackward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff,
                        float[] dx, int dxOff, float[] dw, int dwOff, float[] dbias, int dbiasOff);

    /** Max pooling; {@code argmax} receives, per output, the index into x (relative to xOff) of the maximum. */
    void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax);

    /** Overwrites dx with zeros, then scatters dy to the recorded maxima. */
    void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff);

    // ---------------------------------------------------------------- element-wise and reductions

    /** {@code y[i] = max(x[i], 0)}; x and y may be the same array. */
    void reluForward(int n, float[] x, int xOff, float[] y, int yOff);

    /** {@code dx[i] = y[i] > 0 ? dy[i] : 0}, from the forward output y; dy and dx may alias. */
    void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff);

    /** {@code x[r, c] += bias[c]} for a {@code rows × cols} matrix. */
    void biasAdd(int rows, int cols, float[] x, int xOff, float[] bias, int biasOff);

    /** {@code db[c] += Σ_r dy[r, c]}. */
    void biasGrad(int rows, int cols, float[] dy, int dyOff, float[] db, int dbOff);

    /**
     * Fused softmax and cross-entropy over {@code rows} logit vectors of {@code classes}, with label smoothing
     * {@code eps} (target {@code 1-eps+eps/classes} on the label, {@code eps/classes} elsewhere). Writes the
     * probabilities to {@code probs} (may be null) and {@code (p - target) / rows} to {@code dlogits} (may be
     * null). Returns the summed (not mean) loss over the rows, in double.
     */
    double softmaxCrossEntropy(int rows, int classes, float[] logits, int logitsOff, int[] labels, int labelsOff,
                               float eps, float[] probs, int probsOff, float[] dlogits, int dlogitsOff);

    /** Row-wise softmax, for inference. */
    void softmax(int rows, int classes, float[] logits, int logitsOff, float[] probs, int probsOff);

    /**
     * Inverted dropout: {@code mask[i]} is {@code 1/(1-p)} with probability {@code 1-p}, else 0, drawn from
     * a counter-based generator keyed by {@code seed} (same seed, same mask, whatever the thread count);
     * {@code y = x·mask}.
     */
    void dropoutForward(int n, float p, long seed, float[] x, int xOff, float[] mask, int maskOff, float[] y, int yOff);

    /** {@code dx = dy·mask}. */
    void dropoutBackward(int n, float[] mask, int maskOff, float[] dy, int dyOff, float[] dx, int dxOff);

    /**
     * Batch normalization in training mode over a {@code rows × channels} matrix (NHWC: rows = batch·H·W).
     * Writes {@code y}, the batch mean and {@code 1/sqrt(var+eps)} (biased variance) to {@code saveMean} and
     * {@code saveInvStd}, and updates {@code runningMean/runningVar} by {@code r = (1-momentum)·r + momentum·batch}
     * (running variance unbiased).
     */
    void batchNormForwardTraining(int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta,
                                  float eps, float momentum, float[] runningMean, float[] runningVar,
                                  float[] saveMean, float[] saveInvStd, float[] y, int yOff);

    /** Batch normalization with the running statistics. */
    void batchNormForwardInference(int rows, int channels, float[] x, int xOff, float[] gamma, float[] beta,
                                   float eps, float[] runningMean, float[] runningVar, float[] y, int yOff);

    /** Backward of the training forward: overwrites dx (skipped when null), accumulates dgamma and dbeta. */
    void batchNormBackward(int rows, int channels, float[] x, int xOff, float[] dy, int dyOff, float[] gamma,
                           float[] saveMean, float[] saveInvStd, float[] dx, int dxOff, float[] dgamma, float[] dbeta);

    // ---------------------------------------------------------------- optimizer updates

    /**
     * SGD with momentum: {@code g' = g + wd·w; v = momentum·v + g'; w -= lr·(nesterov ? g' + momentum·v : v)}.
     */
    void sgdUpdate(int n, float[] w, float[] g, float[] velocity, float lr, float momentum, float weightDecay,
                   boolean nesterov);

    /**
     * AdamW (decoupled weight decay; {@code weightDecay = 0} is Adam):
     * {@code m = b1·m + (1-b1)·g; v = b2·v + (1-b2)·g²; w -= lr·(m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + wd·w)}.
     * {@code step} t starts at 1.
     */
    void adamUpdate(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2,
                    float eps, float weightDecay, long step);

    // ---------------------------------------------------------------- selection

    /**
     * The kernels for {@code mode} ("scalar", "vector" or "auto") on a pool of {@code threads} threads.
     * "auto" is the Vector API when the {@code jdk.incubator.vector} module is present, else scalar with
     * one warning line on stderr; "vector" without the module is an error.
     */
    static Kernels create(String mode, int threads) {
        return KernelSelector.create(mode, threads);
    }

    /** {@link #create} with the mode from {@code -Dsimdnet.kernels} (default auto). */
    static Kernels create(int threads) {
        return KernelSelector.create(System.getProperty("simdnet.kernels", "auto"), threads);
    }
}
