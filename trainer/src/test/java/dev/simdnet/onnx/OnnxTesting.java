package dev.simdnet.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.Normalization;
import dev.simdnet.model.Model;
import dev.simdnet.model.ModelSpec;
import dev.simdnet.model.Models;
import dev.simdnet.nn.BatchNorm;
import dev.simdnet.nn.Conv2d;
import dev.simdnet.nn.Layer;
import dev.simdnet.nn.Linear;
import dev.simdnet.nn.Sequential;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/** Shared by the ONNX tests: seeded models with non-trivial batch-norm statistics, and onnxruntime as the reference. */
final class OnnxTesting {
    private OnnxTesting() {}

    /**
     * A registry network with seeded weights, non-zero biases and batch-norm statistics far from the identity
     * (running means, variances, scales and shifts all drawn), so that the export of every one of them matters.
     */
    static Model seeded(String name, int h, int w, int c, long seed) {
        ModelSpec spec = new ModelSpec(name, new int[] {h, w, c}, 10, name.equals("best") ? 0.25f : 0f);
        Sequential net = Models.build(spec, seed);
        SplittableRandom rng = new SplittableRandom(seed * 31 + 7);
        for (Layer l : net.layers()) {
            if (l instanceof BatchNorm bn) {
                float[] g = bn.parameters().get(0).value().data(), b = bn.parameters().get(1).value().data();
                float[] m = bn.runningMean().data(), v = bn.runningVar().data();
                for (int i = 0; i < bn.channels(); i++) {
                    g[i] = (float) rng.nextDouble(0.5, 1.5);
                    b[i] = (float) rng.nextDouble(-0.3, 0.3);
                    m[i] = (float) rng.nextDouble(-0.5, 0.5);
                    v[i] = (float) rng.nextDouble(0.3, 3.0);
                }
            } else if (l instanceof Conv2d conv) {
                float[] b = conv.bias().value().data();
                for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextDouble(-0.1, 0.1);
            } else if (l instanceof Linear lin) {
                float[] b = lin.bias().value().data();
                for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextDouble(-0.1, 0.1);
            }
        }
        Normalization norm = c == 1 ? Normalization.MNIST : new Normalization(0.47f, 0.25f);
        return Model.of(spec, net, new Model.Input(h, w, c, norm, c == 1 && h == 28 && w == 28 ? Model.Preprocess.DIGITS : Model.Preprocess.RESIZE),
                Model.numberedClasses(10));
    }

    /** The first {@code n} images of a data set, [0, 1], one after another in simdnet's HWC order. */
    static float[] images(Dataset d, int n) {
        float[] x = new float[n * d.pixels()];
        for (int i = 0; i < n; i++) System.arraycopy(d.imageUnit(i), 0, x, i * d.pixels(), d.pixels());
        return x;
    }

    /** Random pixels in [0, 1]. */
    static float[] noise(int n, int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble();
        return x;
    }

    /** HWC samples as NCHW, the ONNX layout. */
    static float[] toNchw(float[] hwc, int n, int h, int w, int c) {
        float[] r = new float[hwc.length];
        for (int s = 0; s < n; s++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++)
                        r[s * h * w * c + (ch * h + y) * w + x] = hwc[s * h * w * c + (y * w + x) * c + ch];
        return r;
    }

    /** onnxruntime's answer for output {@code output} on {@code n} NCHW samples, row after row. */
    static float[] runOrt(byte[] onnx, String output, float[] nchw, int n, int c, int h, int w) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(onnx, opts);
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw), new long[] {n, c, h, w});
                 OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, t))) {
                float[][] rows = (float[][]) r.get(output).orElseThrow().getValue();
                float[] out = new float[n * rows[0].length];
                for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
                return out;
            }
        }
    }

    /** Largest absolute difference. */
    /** {@code v} as float32 little-endian: the {@code NAME.onnx.probabilities.bin} that make_torch_fixture.py --check reads. */
    static void writeFloats(java.nio.file.Path f, float[] v) throws java.io.IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        java.nio.file.Files.write(f, b.array());
    }

    static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " and " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** How many rows of two (n, classes) matrices have a different top class. */
    static int topDisagreements(float[] a, float[] b, int n, int classes) {
        int bad = 0;
        for (int i = 0; i < n; i++)
            if (dev.simdnet.eval.Evaluation.argmax(a, i * classes, classes) != dev.simdnet.eval.Evaluation.argmax(b, i * classes, classes)) bad++;
        return bad;
    }
}
