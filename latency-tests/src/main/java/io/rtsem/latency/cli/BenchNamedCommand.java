package io.rtsem.latency.cli;

import io.rtsem.latency.bench.bridge.NamedBench;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./rtsem bench-named}: the named semaphore's cross-process benchmarks ({@link NamedBench}): HARD hand-off
 * across two JVMs against two threads of one JVM on {@code RtSemaphore}, the JDK's mapping against Chronicle Core's,
 * and a C {@code sem_post} waking a Java NON_RT waiter against waking a C one. About 30 s with the defaults. Exit
 * codes: 0 done; 2 a bad option; 3 the run failed (gcc missing, a child that failed or hung). NON_RT: starts processes,
 * blocks until they end.
 */
@Command(
        name = "bench-named",
        mixinStandardHelpOptions = true,
        description = {
            "Cross-process named-semaphore benchmarks, each against a baseline of the same run: HARD hand-off between "
                    + "two JVMs (NamedSemaphore; the JDK's MappedByteBuffer+VarHandle and Chronicle Core's "
                    + "OS.map+UnsafeMemory on the same word) against two threads of one JVM on RtSemaphore; and a C "
                    + "sem_post waking a Java NON_RT waiter against waking a C sem_wait. Needs gcc. About 30 s."
        })
public final class BenchNamedCommand implements Callable<Integer> {
    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "Hand-off round trips measured per arm and pass (default ${DEFAULT-VALUE}).")
    private int rounds = new NamedBench.Options().rounds;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "Hand-off round trips discarded first per arm (default ${DEFAULT-VALUE}).")
    private int warmup = new NamedBench.Options().warmup;

    @Option(
            names = "--wake-rounds",
            paramLabel = "N",
            description = "Wake-ups measured per wake arm and pass (default ${DEFAULT-VALUE}).")
    private int wakeRounds = new NamedBench.Options().wakeRounds;

    @Option(
            names = "--passes",
            paramLabel = "N",
            description = "Times each arm runs, in turn with the others (default ${DEFAULT-VALUE}).")
    private int passes = new NamedBench.Options().passes;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the arms and prints the table. */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            String bad = rounds < 1
                    ? "--rounds " + rounds
                    : warmup < 0
                            ? "--warmup " + warmup
                            : wakeRounds < 1 ? "--wake-rounds " + wakeRounds : passes < 1 ? "--passes " + passes : null;
            if (bad != null) {
                err.println(
                        "rtsem: bench-named: " + bad + ": must be at least " + (bad.startsWith("--warmup") ? 0 : 1));
                return RtsemCommand.EXIT_CONFIG;
            }
            NamedBench.Options o = new NamedBench.Options();
            o.rounds = rounds;
            o.warmup = warmup;
            o.wakeRounds = wakeRounds;
            o.passes = passes;
            String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            NamedBench.Result r = new NamedBench(o, err).run();
            out.println("rtsem bench-named, " + started + ", Java " + Runtime.version() + ", "
                    + Runtime.getRuntime().availableProcessors() + " CPUs, nothing pinned; --rounds " + rounds
                    + " --warmup " + warmup + " --wake-rounds " + wakeRounds + " --passes " + passes);
            out.print(NamedBench.render(r));
            return 0;
        } catch (IOException e) {
            err.println("rtsem: bench-named: the run failed: " + e.getMessage());
            return RtsemCommand.EXIT_RUN_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("rtsem: bench-named: interrupted");
            return RtsemCommand.EXIT_RUN_FAILED;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
