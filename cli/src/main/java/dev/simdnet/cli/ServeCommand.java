package dev.simdnet.cli;

import dev.simdnet.serve.CorrectionStore;
import dev.simdnet.serve.HeapPolicy;
import dev.simdnet.serve.Limits;
import dev.simdnet.serve.ModelRegistry;
import dev.simdnet.serve.ServedModel;
import dev.simdnet.serve.Server;
import dev.simdnet.model.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve}: the draw-a-digit page and the prediction API (KServe V2 REST and /api/predict) until Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Serve the draw-a-digit page and a prediction API (Open Inference Protocol / KServe V2 REST, and /api/predict).",
                "Models are named by --model NAME=CHECKPOINT (or by the file's name); the first is the default."})
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "[NAME=]CHECKPOINT", arity = "1..*",
            description = "Checkpoints to serve, several allowed (default: the model bundled in the jar, named 'default').")
    List<String> modelArgs = new ArrayList<>();

    @Option(names = "--port", paramLabel = "P", defaultValue = "8080", description = "Port (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (0.0.0.0: every interface). Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--corrections", paramLabel = "DIR",
            description = {"Keep the page's corrections ('wrong? it was: ...', POST /api/feedback) in DIR/train/<digit>/ (the 28x28 input) and",
                    "DIR/original/<digit>/ (the drawing); fine-tune on them with train --init MODEL --data-dir DIR --replay-mnist N. Off unless given."})
    Path corrections;

    @Option(names = "--corrections-max", paramLabel = "N", defaultValue = "10000",
            description = "Most corrections the folder may hold; beyond, /api/feedback answers 507. Default: ${DEFAULT-VALUE}.")
    int correctionsMax;

    @Option(names = "--corrections-max-mb", paramLabel = "MB", defaultValue = "200",
            description = "Most megabytes the folder may hold; beyond, /api/feedback answers 507. Default: ${DEFAULT-VALUE}.")
    long correctionsMaxMb;

    /** Counted down on shutdown; lets tests stop a running command. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in [0, 65535], got " + port);
        if (corrections == null && (spec.commandLine().getParseResult().hasMatchedOption("--corrections-max")
                || spec.commandLine().getParseResult().hasMatchedOption("--corrections-max-mb")))
            throw new CommandLine.ParameterException(spec.commandLine(), "--corrections-max and --corrections-max-mb bound the --corrections folder: give --corrections DIR");
        if (correctionsMax < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--corrections-max must be at least 1, got " + correctionsMax);
        if (correctionsMaxMb < 1 || correctionsMaxMb > (1L << 40)) throw new CommandLine.ParameterException(spec.commandLine(), "--corrections-max-mb must be at least 1, got " + correctionsMaxMb);
        CorrectionStore store = corrections == null ? null
                : new CorrectionStore(corrections, new CorrectionStore.Bounds(correctionsMax, correctionsMaxMb << 20));
        int replicas = common.threadsOr(Runtime.getRuntime().availableProcessors());
        List<ServedModel> served = new ArrayList<>();
        try {
            if (modelArgs.isEmpty()) {
                served.add(new ServedModel("default", Model::bundled, Model.bundledFileBytes(), replicas, common.kernels));
            }
            for (String arg : modelArgs) {
                int eq = arg.indexOf('=');
                Path file = Path.of(eq < 0 ? arg : arg.substring(eq + 1));
                String name = eq < 0 ? nameOf(file) : arg.substring(0, eq);
                if (!ModelRegistry.NAME.matcher(name).matches())
                    throw new CommandLine.ParameterException(spec.commandLine(), "invalid model name '" + name
                            + "': use letters, digits, '.', '_' and '-' (--model NAME=CHECKPOINT)");
                if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString());
                served.add(new ServedModel(name, () -> Model.load(file), Files.size(file), replicas, common.kernels));
            }
        } catch (Exception e) {
            for (ServedModel m : served) m.close();
            throw e;
        }
        ModelRegistry registry;
        try {
            registry = new ModelRegistry(served);
        } catch (IllegalArgumentException e) {
            for (ServedModel m : served) m.close();
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Server server;
        try {
            server = Server.start(registry, host, port, Limits.DEFAULT, serverVersion(), line -> {
                synchronized (err) {
                    err.println(line);
                    err.flush();
                }
            }, store);
        } catch (java.net.BindException e) {
            registry.close();
            throw new java.io.IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage() + " (try another --port)");
        }
        Thread hook = new Thread(() -> {
            stop.countDown();
            server.close();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        // The heap is shrunk before the warm-up and again after it: requests that came meanwhile ran on a cold JIT,
        // whose garbage made G1 grow the heap, and under load it does not give it back by itself.
        List<String> policy = HeapPolicy.applyForServing();
        HeapPolicy.shrinkNow(policy);
        Thread.ofPlatform().daemon().name("simdnet-warm-up").start(() -> {
            for (var m : registry.all()) m.warmUp();
            HeapPolicy.shrinkNow(policy);
        });
        List<String> names = registry.all().stream().map(m -> m.info().name()).toList();
        out.println(String.format(Locale.ROOT, "Serving %s at %s (open it in a browser; Ctrl-C stops)", String.join(", ", names), server.address()));
        if (store != null) out.println("Keeping corrections in " + store.dir() + " (" + store.corrections() + " there now)");
        out.flush();
        try {
            stop.await();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
                server.close();
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and closes the server
            }
        }
        return 0;
    }

    private static String serverVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** The checkpoint file's name without extension, made into a valid model name. */
    static String nameOf(Path file) {
        String n = file.getFileName().toString().replaceFirst("\\.(safetensors|onnx)$", "").replaceAll("[^A-Za-z0-9._-]", "_");
        if (n.startsWith(".")) n = "_" + n.substring(1);
        return n.isEmpty() ? "model" : n.length() > 64 ? n.substring(0, 64) : n;
    }
}
