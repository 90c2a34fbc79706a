package dev.simdnet.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder until the preprocessing lands. */
@Command(name = "classify", mixinStandardHelpOptions = true, description = "Classify digit images (PNG, JPEG, GIF, BMP).")
final class ClassifyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 1;
    }
}
