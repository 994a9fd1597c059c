package io.rtsem.latency.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

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
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Run the JMH benchmarks (core, bridge, or a JMH regex), each against its same-run baseline.")
public final class BenchCommand implements Callable<Integer> {
    /** Benchmark package of rt-core's benchmarks. */
    static final String CORE = "io.rtsem.latency.bench.core";
    /** Benchmark package of rt-bridge's benchmarks. */
    static final String BRIDGE = "io.rtsem.latency.bench.bridge";

    @Parameters(arity = "0..*", paramLabel = "ARGS",
        description = "core | bridge | a JMH benchmark regex, then JMH options (e.g. -wi 1 -i 3).")
    private List<String> args = new ArrayList<>();

    /** Translates the selection and runs JMH's own command line. @return JMH's outcome, 0 when it returns. */
    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(jmhArguments(args).toArray(new String[0]));
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
