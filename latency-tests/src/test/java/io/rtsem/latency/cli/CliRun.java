package io.rtsem.latency.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** One in-process run of the {@code ./rtsem} command line, with its exit code and output. */
record CliRun(int exitCode, String out, String err) {

    /** The repository root (set by Surefire as {@code rtsem.root}). */
    static Path root() {
        return Path.of(System.getProperty("rtsem.root", "..")).toAbsolutePath().normalize();
    }

    /** Runs the command line as {@code ./rtsem args...} would, in this JVM. */
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RtsemCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new CliRun(rc, out.toString(), err.toString());
    }
}
