package dev.simdnet.cli;

import picocli.CommandLine;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * Turns any failure of a command into one line on stderr and exit code 1. Library code throws exceptions whose
 * message already says what is wrong and what to do; the stack trace is for --verbose only.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        cl.getErr().println("error: " + message(e));
        if (verbose(parsed)) e.printStackTrace(cl.getErr());
        return FAILED;
    }

    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u) e = u.getCause();
        if (e instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        if (e instanceof AccessDeniedException a) return "permission denied: " + a.getFile();
        if (e instanceof FileNotFoundException f) return f.getMessage();
        if (e instanceof OutOfMemoryError) return "out of memory: give the JVM more with -Xmx, or use a smaller --batch";
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        if (e instanceof IOException && !(m.contains(" "))) m = "I/O error: " + m;
        return m;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand())
            if (p.hasMatchedOption("--verbose")) return true;
        return false;
    }
}
