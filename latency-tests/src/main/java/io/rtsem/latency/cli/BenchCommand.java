package io.rtsem.latency.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./rtsem bench [core|bridge|REGEX] [JMH options]}: runs rtsem's JMH benchmarks, each of which measures its
 * baseline (raw CAS pair, raw volatile hand-off, {@code java.util.concurrent.Semaphore}) in the same run. {@code core}
 * selects {@code io.rtsem.latency.bench.core}, {@code bridge} {@code io.rtsem.latency.bench.bridge}, nothing selects
 * both; anything else is passed to JMH as a benchmark regex, and every further argument ({@code -wi 1 -i 3 -f 1},
 * {@code -rf json}, ...) goes to JMH unchanged. NON_RT; blocks for the whole run; JMH forks its own JVMs.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run the JMH benchmarks (core, bridge, or a JMH regex), each against its same-run baseline.")
public final class BenchCommand implements Callable<Integer> {
    /** Benchmark package of rt-core's benchmarks. */
    static final String CORE = "io.rtsem.latency.bench.core";
    /** Benchmark package of rt-bridge's benchmarks. */
    static final String BRIDGE = "io.rtsem.latency.bench.bridge";

    @Parameters(
            arity = "0..*",
            paramLabel = "ARGS",
            description = "core | bridge | a JMH benchmark regex, then JMH options (e.g. -wi 1 -i 3).")
    private List<String> args = new ArrayList<>();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Translates the selection and does what JMH's own command line ({@code org.openjdk.jmh.Main}) does, with rtsem's
     * exit codes: JMH's {@code Main} calls {@code System.exit(1)} for an option it cannot parse, a selection that
     * matches no benchmark and a failed run, and 1 means "a budget missed" to {@code ./rtsem}'s callers.
     *
     * @return 0 when the benchmarks ran (or help or a list was printed), 2 for an option JMH rejects or a selection
     *         that matches no benchmark, 3 if the run failed
     * @throws IOException if JMH cannot print its help
     */
    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(jmhArguments(args).toArray(new String[0]));
        } catch (CommandLineOptionException e) {
            err.println("rtsem: bench: " + e.getMessage() + " (JMH options: ./rtsem bench -h)");
            err.flush();
            return RtsemCommand.EXIT_CONFIG;
        }
        Runner runner = new Runner(options);
        if (options.shouldHelp()) {
            options.showHelp();
        } else if (options.shouldList()) {
            runner.list();
        } else if (options.shouldListWithParams()) {
            runner.listWithParams(options);
        } else if (options.shouldListProfilers()) {
            options.listProfilers();
        } else if (options.shouldListResultFormats()) {
            options.listResultFormats();
        } else {
            try {
                runner.run();
            } catch (NoBenchmarksException e) {
                err.println("rtsem: bench: no benchmark matches "
                        + jmhArguments(args).get(0) + "; expected core, "
                        + "bridge or a regex of benchmark names (./rtsem bench -l lists them)");
                err.flush();
                return RtsemCommand.EXIT_CONFIG;
            } catch (RunnerException e) {
                err.println("rtsem: bench: the benchmarks failed: " + e.getMessage());
                err.flush();
                return RtsemCommand.EXIT_RUN_FAILED;
            }
        }
        return 0;
    }

    /**
     * The JMH command line for rtsem's arguments: the first argument, if it is not an option, names the benchmarks.
     *
     * @param args what followed {@code bench}
     * @return the arguments for {@code org.openjdk.jmh.Main}
     */
    static List<String> jmhArguments(List<String> args) {
        List<String> jmh = new ArrayList<>();
        int rest = 0;
        if (!args.isEmpty() && !args.get(0).startsWith("-")) {
            String selection = args.get(0);
            jmh.add(selection.equals("core") ? CORE : selection.equals("bridge") ? BRIDGE : selection);
            rest = 1;
        } else {
            jmh.add("io.rtsem.latency.bench");
        }
        jmh.addAll(args.subList(rest, args.size()));
        return jmh;
    }

    /** For picocli: keep JMH's options (which start with '-') as positional arguments. */
    static void configure(CommandLine commandLine) {
        commandLine.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
    }
}
