import dev.simdnet.data.DataSource;
import dev.simdnet.data.Dataset;
import dev.simdnet.data.DatasetKind;
import dev.simdnet.data.DatasetLoader;
import dev.simdnet.data.DigitPreprocessor;
import dev.simdnet.data.PenDigits;
import dev.simdnet.data.Subset;
import dev.simdnet.model.Model;
import dev.simdnet.serve.CorrectionStore;
import dev.simdnet.serve.Limits;
import dev.simdnet.serve.ModelRegistry;
import dev.simdnet.serve.ServedModel;
import dev.simdnet.serve.Server;
import dev.simdnet.serve.StrokeRenderer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The corrections loop of benchmarks/run-corrections.sh, as CorrectionsLoopTest runs it:
 *   post MODEL UNIPEN WRITER DIR    serve MODEL with --corrections DIR and post, through /api/feedback, the first 50
 *                                   page renderings of the writer's first 13 1s that MODEL reads as 7
 *   measure MODEL UNIPEN WRITER MNIST_DIR REPLAY
 *                                   prints "held R N val V": the writer's other 13 1s (4 renderings each) read as 1,
 *                                   and the accuracy on 20,000 MNIST training images not replayed (the validation
 *                                   that chooses the recipe; train --replay-mnist draws with seed 1 as here)
 */
public class CorrectionsBench {
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static String strokes(PenDigits.PenDigit d, long seed) {
        PenDigits.Placed p = PenDigits.place(d, new PenDigits.RenderOptions(280, 20, 20, 0.45f, 0.8f), seed);
        StringBuilder b = new StringBuilder("\"canvas\": [280, 280], \"strokes\": [");
        for (int s = 0; s < p.strokes().size(); s++) {
            float[] pts = p.strokes().get(s);
            b.append(s == 0 ? "[" : ", [");
            for (int i = 0; i < pts.length; i += 2) b.append(i == 0 ? "" : ", ").append("[").append(pts[i]).append(", ").append(pts[i + 1]).append("]");
            b.append("]");
        }
        return b.append("]").toString();
    }

    static String post(Server s, String path, String json) throws Exception {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    static int digit(String answer) {
        int i = answer.indexOf("\"digit\":");
        return Character.digit(answer.charAt(i + 8), 10);
    }

    static List<PenDigits.PenDigit> ones(Path unipen, int writer) {
        return PenDigits.load(unipen).stream().filter(d -> d.writer() == writer && d.label() == 1).toList();
    }

    public static void main(String[] a) throws Exception {
        Path model = Path.of(a[1]), unipen = Path.of(a[2]);
        int writer = Integer.parseInt(a[3]);
        List<PenDigits.PenDigit> ones = ones(unipen, writer);
        int half = ones.size() / 2;
        Server s = Server.start(new ModelRegistry(List.of(new ServedModel("m", () -> Model.load(model), Files.size(model), 2, "auto"))),
                "127.0.0.1", 0, Limits.DEFAULT, "bench", line -> {}, a[0].equals("post") ? new CorrectionStore(Path.of(a[4]), CorrectionStore.Bounds.DEFAULT) : null);
        try {
            if (a[0].equals("post")) {
                int sent = 0;
                for (int k = 0; k < 8 && sent < 50; k++)
                    for (PenDigits.PenDigit d : ones.subList(0, half)) {
                        if (sent == 50) break;
                        String drawing = strokes(d, d.index() * 7919L + 100 + k);
                        if (digit(post(s, "/api/predict", "{" + drawing + "}")) != 7) continue;
                        post(s, "/api/feedback", "{\"label\": 1, " + drawing + "}");
                        sent++;
                    }
                System.out.println("posted " + sent);
                return;
            }
            int right = 0, n = 0;
            for (PenDigits.PenDigit d : ones.subList(half, ones.size()))
                for (int k = 0; k < 4; k++, n++) if (digit(post(s, "/api/predict", "{" + strokes(d, d.index() * 7919L + k) + "}")) == 1) right++;
            Dataset train = DatasetLoader.load(DatasetKind.MNIST, Subset.TRAIN, DataSource.offline(Path.of(a[4])));
            int replay = Integer.parseInt(a[5]);
            int[] order = train.all();
            SplittableRandom rng = new SplittableRandom(1);
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double val = Model.load(model).evaluate(train, Arrays.copyOfRange(order, replay, replay + 20_000), 500).accuracy();
            System.out.println("held " + right + " " + n + " val " + val);
        } finally {
            s.close();
        }
    }
}
