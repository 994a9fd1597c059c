package io.rtsem.latency.cli;

import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.ScenarioLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./rtsem list-configs}: every scenario in {@code configs/} with its planned run time,
 * threads and description, and whether it validates. Exit code 0, or 2 if a file is invalid.
 * NON_RT; reads files.
 */
@Command(
        name = "list-configs",
        mixinStandardHelpOptions = true,
        description = "List the scenarios in configs/ with their planned run time; check that each one validates.")
public final class ListConfigsCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Lists the scenarios. */
    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = RtsemCommand.root().resolve("configs");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        int rc = 0;
        ScenarioLoader loader = new ScenarioLoader();
        out.printf(Locale.ROOT, "%-32s %8s %8s  %s%n", "config", "run time", "threads", "description");
        for (Path p : files) {
            String name = "configs/" + p.getFileName();
            try {
                Scenario sc = loader.load(p);
                out.printf(
                        Locale.ROOT,
                        "%-32s %7.1fs %8d  %s%n",
                        name,
                        sc.plannedNanos() / 1e9,
                        sc.threads().size(),
                        sc.description());
            } catch (ConfigException e) {
                err.println("invalid: " + e.getMessage());
                rc = RtsemCommand.EXIT_CONFIG;
            }
        }
        out.flush();
        return rc;
    }
}
