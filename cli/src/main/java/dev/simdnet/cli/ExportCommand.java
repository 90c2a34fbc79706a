package dev.simdnet.cli;

import dev.simdnet.model.Model;
import dev.simdnet.onnx.OnnxExport;
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
                "outputs 'probabilities' and 'logits', class names and the input contract in the metadata."})
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "onnx", description = "Output format: onnx. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--verbose", description = "Print the stack trace of an error.")
    boolean verbose;

    @Parameters(index = "0", paramLabel = "CKPT", description = "The model: a checkpoint `train` wrote, or 'bundled' for the model in the jar.")
    String checkpoint;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write (OUT.onnx).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("onnx"))
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown --format '" + format + "': the format is onnx");
        if (Files.isDirectory(out)) throw new CommandLine.ParameterException(spec.commandLine(), out + " is a folder: name the file to write, e.g. model.onnx");
        Model model = checkpoint.equals("bundled") && !Files.exists(Path.of(checkpoint)) ? Model.bundled() : Model.load(Path.of(checkpoint));
        OnnxExport.write(model, out);
        spec.commandLine().getErr().println("wrote " + out + " (" + Files.size(out) + " bytes): " + model);
        return 0;
    }
}
