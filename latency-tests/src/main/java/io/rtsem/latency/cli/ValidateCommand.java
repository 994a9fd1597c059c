package io.rtsem.latency.cli;

import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.ScenarioLoader;
import io.rtsem.latency.report.ReportFiles;
import io.rtsem.latency.report.RunReport;
import io.rtsem.latency.run.RunResult;
import io.rtsem.latency.run.ThreadStartException;
import io.rtsem.latency.run.ValidationRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./rtsem validate [CONFIG]}: runs a scenario (rtsem and the peer interleaved, then the floor), writes the
 * report files, prints the summary and exits 0 if every budget was met, 1 if one was missed or a thread fell behind
 * its schedule, 2 on a
 * usage, configuration or environment error (a thread that cannot be pinned: {@link
 * ThreadStartException}), 3 if the run failed. NON_RT: runs the harness on the calling thread;
 * blocks for the scenario's planned time; allocates.
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Run a scenario on rtsem and on java.util.concurrent.Semaphore in alternating slices (same threads, "
                    + "same CPUs, each waiting the same way on both), then measure the cache-line hand-off floor "
                    + "and the hiccups of its real-time CPUs; judge rtsem's corrected waits against the budgets, "
                    + "and every waiting thread's completed iterations against its schedule.",
            "Writes summary.txt, report.json, report.html, .hgrm, .hlog and run.jfr to the output directory."
        })
public final class ValidateCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "CONFIG",
            defaultValue = "configs/default.yaml",
            description = "Scenario file, or a name in configs/ (default: ${DEFAULT-VALUE}).")
    private String config;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Output directory, created if missing (default: target/rtsem/<scenario>/<timestamp>/).")
    private Path out;

    @Option(
            names = {"-q", "--quiet"},
            description = "No live progress line on stderr; summary only.")
    private boolean quiet;

    @Option(names = "--no-jfr", description = "Do not record JFR (outliers are then matched to GC notifications only).")
    private boolean noJfr;

    @Option(
            names = "--jvm-opts",
            paramLabel = "OPTIONS",
            description = "Replace the real-time JVM options (configs/jvm.options). Handled by ./rtsem before the JVM "
                    + "starts; ignored when given to java directly.")
    private String jvmOpts;

    @Option(
            names = "--jvm-opt",
            paramLabel = "OPTION",
            description = "Add one JVM option (repeatable). Handled by "
                    + "./rtsem before the JVM starts; ignored when given to java directly.")
    private List<String> jvmOpt;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the validation. */
    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            stderr.println("rtsem: --out " + out + " is an existing file; expected a directory (created if missing)");
            stderr.flush();
            return RtsemCommand.EXIT_CONFIG;
        }
        if (config.isBlank()) {
            stderr.println("rtsem: CONFIG is empty; expected a scenario file or the name of one in configs/");
            stderr.flush();
            return RtsemCommand.EXIT_CONFIG;
        }
        Path file;
        try {
            file = resolve(config);
        } catch (InvalidPathException e) {
            stderr.println("rtsem: CONFIG \"" + config.replace("\u0000", "\\u0000") + "\" is not a valid path: "
                    + e.getReason());
            stderr.flush();
            return RtsemCommand.EXIT_CONFIG;
        }
        Scenario scenario;
        try {
            scenario = new ScenarioLoader().load(file);
        } catch (ConfigException e) {
            stderr.println("rtsem: invalid scenario: " + e.getMessage());
            stderr.flush();
            return RtsemCommand.EXIT_CONFIG;
        }
        if (jvmOpts != null || jvmOpt != null) {
            stderr.println("rtsem: note: --jvm-opts/--jvm-opt only take effect through ./rtsem; this JVM runs with "
                    + "the options it was started with (they are printed in the report)");
        }
        Path dir = out != null
                ? out
                : RtsemCommand.root()
                        .resolve("target")
                        .resolve("rtsem")
                        .resolve(scenario.name())
                        .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            // here, not in the run: a directory that cannot be made is a usage error (2), not a failed run (3)
            Files.createDirectories(dir);
        } catch (IOException e) {
            stderr.println("rtsem: cannot create the output directory " + dir + ": " + reason(e, dir));
            stderr.flush();
            return RtsemCommand.EXIT_CONFIG;
        }
        RunResult result;
        try {
            result = new ValidationRun(scenario, dir, quiet ? null : stderr, !noJfr).run();
        } catch (ThreadStartException e) {
            stderr.println();
            stderr.println("rtsem: " + e.getMessage());
            stderr.flush();
            return RtsemCommand.EXIT_CONFIG;
        } catch (IllegalStateException e) {
            stderr.println();
            stderr.println("rtsem: " + e.getMessage());
            stderr.flush();
            return RtsemCommand.EXIT_RUN_FAILED;
        } catch (Exception e) {
            stderr.println();
            stderr.println("rtsem: the run failed: " + e);
            stderr.flush();
            return RtsemCommand.EXIT_RUN_FAILED;
        }
        try {
            RunReport report = new RunReport(result, RealTimeJvmOptions.read(RtsemCommand.root()));
            stdout.print(ReportFiles.write(report));
            stdout.flush();
            return report.exitCode();
        } catch (Exception e) {
            stderr.println("rtsem: cannot write the report to " + dir + ": " + e);
            stderr.flush();
            return RtsemCommand.EXIT_RUN_FAILED;
        }
    }

    /** @return why a directory could not be created, in words, with the path that stood in the way if another */
    private static String reason(IOException e, Path dir) {
        String reason = e instanceof FileAlreadyExistsException
                ? "a file is in the way"
                : e instanceof FileSystemException f && f.getReason() != null
                        ? f.getReason()
                        : e.getClass().getSimpleName();
        String where = e instanceof FileSystemException f
                        && f.getFile() != null
                        && !f.getFile().equals(dir.toString())
                ? " (" + f.getFile() + ")"
                : "";
        return reason + where;
    }

    /** A path as given if it exists, else {@code configs/<name>} or {@code configs/<name>.yaml} under the root. */
    static Path resolve(String config) {
        Path p = Path.of(config);
        if (Files.exists(p)) {
            return p;
        }
        Path root = RtsemCommand.root();
        for (Path c : List.of(
                root.resolve(config),
                root.resolve("configs").resolve(config),
                root.resolve("configs").resolve(config + ".yaml"))) {
            if (Files.exists(c)) {
                return c;
            }
        }
        return p;
    }
}
