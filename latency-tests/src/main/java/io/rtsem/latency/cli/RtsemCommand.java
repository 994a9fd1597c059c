package io.rtsem.latency.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./rtsem}: the command line of rtsem's latency validation (picocli). Subcommands:
 * {@link ValidateCommand validate}, {@link ListConfigsCommand list-configs}, {@link BenchCommand bench}, {@link TuneCommand tune},
 * {@link InspectCommand inspect} and {@link BenchNamedCommand bench-named}.
 *
 * <p>Exit codes: 0 every budget met; 1 a budget missed or a thread behind its schedule; 2 usage, configuration or
 * environment error (bad option, bad scenario file, a CPU that cannot be pinned); 3 the run itself failed.
 * NON_RT: the command line runs on the main thread.
 */
@Command(
        name = "rtsem",
        mixinStandardHelpOptions = true,
        version = "rtsem latency validation 0.1.0",
        description = "Latency-budget validation of rtsem's RtSemaphore against the machine's floor and "
                + "java.util.concurrent.Semaphore, measured in the same run on the same CPUs.",
        subcommands = {
            ValidateCommand.class,
            ListConfigsCommand.class,
            BenchCommand.class,
            TuneCommand.class,
            InspectCommand.class,
            BenchNamedCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Exit codes: 0 all budgets met, 1 a budget missed or a thread behind its schedule, 2 usage or "
                    + "config error, 3 the run failed.",
            "JVM options: ./rtsem applies configs/jvm.options; override with RTSEM_JVM_OPTS=\"...\" or "
                    + "--jvm-opts=\"...\" (replace), or add with --jvm-opt=X (anywhere on the line)."
        })
public final class RtsemCommand implements Runnable {
    /** Exit code: a usage, configuration or environment error. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code: the run failed (a scenario thread threw, threads did not stop, an unexpected exception). */
    public static final int EXIT_RUN_FAILED = 3;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: prints usage and fails with exit code 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: validate, list-configs, bench, bench-named, tune or inspect");
    }

    /** @return a command line ready to execute, with rtsem's exit-code conventions. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new RtsemCommand());
        BenchCommand.configure(commandLine);
        exitCodeOnExecutionException(commandLine, EXIT_RUN_FAILED);
        return commandLine;
    }

    /**
     * An exception no command handled is a failed run, never 1 (which means "a budget missed"). Picocli 4.7 keeps
     * this code per command spec (picocli uses the spec of the subcommand that threw) and has no setter on
     * {@code CommandLine}, so it is set on every command of the hierarchy.
     */
    private static void exitCodeOnExecutionException(CommandLine commandLine, int code) {
        commandLine.getCommandSpec().exitCodeOnExecutionException(code);
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            exitCodeOnExecutionException(sub, code);
        }
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The repository root: system property {@code rtsem.root} (set by {@code ./rtsem} and the
     * tests), else the working directory.
     */
    static Path root() {
        return Path.of(System.getProperty("rtsem.root", ".")).toAbsolutePath().normalize();
    }
}
