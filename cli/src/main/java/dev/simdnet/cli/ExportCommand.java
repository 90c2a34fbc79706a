package dev.simdnet.cli;

import dev.simdnet.model.Model;
import dev.simdnet.onnx.OnnxExport;
import dev.simdnet.web.WebApp;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code export --format onnx CKPT OUT.onnx}: a checkpoint (or an ONNX file) as an ONNX model onnxruntime runs. */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Write a model in another format: --format onnx writes ONNX (IR 8, opset 13) that onnxruntime,",
                "onnxruntime-web and other ONNX runtimes load: input 'input' [N, C, H, W] pixels in [0, 1] (normalized inside),",
                "outputs 'probabilities' and 'logits', class names and the input contract in the metadata.",
                "--web DIR [CKPT] writes the draw-a-digit page as a static folder that runs in the browser alone (onnxruntime-web):",
                "serve DIR with any static file server (python3 -m http.server); default CKPT: the bundled model."})
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "onnx", description = "Output format: onnx. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--verbose", description = "Print the stack trace of an error.")
    boolean verbose;

    @Option(names = "--web", paramLabel = "DIR", description = "Write the static web app into DIR (new, empty, or an earlier one) instead of OUT.")
    Path web;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CKPT", description = "The model: a checkpoint `train` wrote, or 'bundled' for the model in the jar.")
    String checkpoint;

    @Parameters(index = "1", arity = "0..1", paramLabel = "OUT", description = "The file to write (OUT.onnx); none with --web.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("onnx"))
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown --format '" + format + "': the format is onnx");
        if (web != null) return writeWebApp();
        if (checkpoint == null || out == null)
            throw new CommandLine.ParameterException(spec.commandLine(), "name the model and the file to write: export --format onnx CKPT OUT.onnx (or export --web DIR [CKPT])");
        if (Files.isDirectory(out)) throw new CommandLine.ParameterException(spec.commandLine(), out + " is a folder: name the file to write, e.g. model.onnx");
        Model model = model();
        OnnxExport.write(model, out);
        spec.commandLine().getErr().println("wrote " + out + " (" + Files.size(out) + " bytes): " + model);
        return 0;
    }

    /** Whether CKPT names the bundled model: none given (--web), or 'bundled' where no file has that name. */
    private boolean bundled() {
        return checkpoint == null || checkpoint.equals("bundled") && !Files.exists(Path.of(checkpoint));
    }

    private Model model() throws java.io.IOException {
        if (bundled()) return Model.bundled();
        Path in = Path.of(checkpoint);
        if (!Files.isRegularFile(in)) throw new java.nio.file.NoSuchFileException(checkpoint);
        return Model.load(in);
    }

    private int writeWebApp() throws Exception {
        if (out != null)
            throw new CommandLine.ParameterException(spec.commandLine(), "--web writes a folder: name the folder and, optionally, the model (export --web DIR [CKPT]), no OUT file");
        // The model's name on the page, as serve names it.
        WebApp.Written w = WebApp.export(model(), bundled() ? "default" : ServeCommand.nameOf(Path.of(checkpoint)), web);
        spec.commandLine().getErr().println(String.format(java.util.Locale.ROOT, "wrote the web app to %s (%d files, %.1f MB): serve the folder with any static file server, e.g. cd %s && python3 -m http.server",
                web, w.files().size(), w.bytes() / 1e6, web));
        return 0;
    }
}
