package dev.simdnet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in-process and captures what it prints. */
record Cli(int exit, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    static Path data() {
        String dir = System.getProperty("simdnet.test.data");
        Path p = dir != null ? Path.of(dir) : Path.of("../../shared/data");
        if (!Files.isDirectory(p.resolve("mnist")))
            throw new IllegalStateException("test data not found at " + p.toAbsolutePath() + "; set -Dsimdnet.test.data");
        return p;
    }

    static String mnist() { return data().resolve("mnist").toString(); }

    /** Errors are one line, never a stack trace. */
    boolean oneLineError() {
        return err.lines().filter(l -> l.startsWith("error:")).count() == 1 && !err.contains("\tat ") && !err.contains("Exception");
    }
}
