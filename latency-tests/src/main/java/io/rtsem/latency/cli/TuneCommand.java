package io.rtsem.latency.cli;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.config.ScenarioLoader;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.machine.CpuList;
import io.rtsem.latency.machine.MachineFiles;
import io.rtsem.latency.machine.MachineState;
import io.rtsem.latency.machine.Readiness;
import io.rtsem.latency.machine.Tuning;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./rtsem tune [--cpus LIST] [--apply | --revert]}: shows how ready this machine is for real-time threads
 * ({@link Readiness}); as root, {@code --apply} sets what can be set at run time and {@code --revert} restores it
 * ({@link Tuning}). Without either nothing changes. Exit codes: 0 done; 2 a bad {@code --cpus}, not root, or nothing
 * to revert; 3 a write that should have worked failed, or the state file cannot be read or written. NON_RT set-up
 * code: reads and writes kernel files on the calling thread; allocates.
 */
@Command(
        name = "tune",
        mixinStandardHelpOptions = true,
        description = {
            "Show how ready this machine is for real-time threads: RT throttling, isolcpus, nohz_full, IRQ and "
                    + "workqueue affinity, CPU governor, CAP_SYS_NICE, RLIMIT_RTPRIO; what each costs a HARD or "
                    + "SOFT thread. Changes nothing unless --apply or --revert is given.",
            "As root, --apply sets what can be set at run time (sched_rt_runtime_us -1, IRQs and unbound "
                    + "workqueues off the real-time CPUs, governor performance), keeping the old values in "
                    + "/run/rtsem/tune-state.json; --revert restores them. See docs/DEPLOYING.md."
        })
public final class TuneCommand implements Callable<Integer> {

    @Option(
            names = "--cpus",
            paramLabel = "LIST",
            description = "The real-time CPUs, a CPU list such as 1 or 1-3 (default: the CPUs configs/*.yaml pin "
                    + "HARD and SOFT threads to, else every CPU but 0).")
    private String cpus;

    @Option(
            names = "--apply",
            description = "Set what can be set at run time (root only); the old values are kept for --revert.")
    private boolean apply;

    @Option(names = "--revert", description = "Restore the values --apply replaced (root only).")
    private boolean revert;

    @Option(names = "--root", hidden = true, paramLabel = "DIR", description = "Stands for / (tests: a fake tree).")
    private Path root;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Shows, applies or reverts. */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return run(out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int run(PrintWriter out, PrintWriter err) {
        if (apply && revert) {
            err.println("rtsem: tune: --apply and --revert together; give one of them (or neither, to only look)");
            return RtsemCommand.EXIT_CONFIG;
        }
        MachineFiles files = root == null ? MachineFiles.SYSTEM : new MachineFiles(root);
        MachineState state = MachineState.read(files);
        if (revert && cpus != null) {
            err.println("rtsem: tune: --cpus has no effect with --revert (it restores what --apply saved)");
            return RtsemCommand.EXIT_CONFIG;
        }
        BitSet rt;
        String why;
        if (cpus != null) {
            try {
                rt = CpuList.parse(cpus);
            } catch (IllegalArgumentException e) {
                err.println("rtsem: tune: --cpus " + e.getMessage());
                return RtsemCommand.EXIT_CONFIG;
            }
            if (rt.isEmpty()) {
                err.println("rtsem: tune: --cpus \"" + cpus + "\" names no CPU; expected a CPU list such as 1 or 1-3");
                return RtsemCommand.EXIT_CONFIG;
            }
            BitSet offline = (BitSet) rt.clone();
            if (state.online() != null) {
                offline.andNot(state.online());
            }
            if (state.online() != null && !offline.isEmpty()) {
                err.println("rtsem: tune: --cpus " + cpus + ": CPU " + CpuList.format(offline) + " is not online "
                        + "(online: " + CpuList.format(state.online()) + ")");
                return RtsemCommand.EXIT_CONFIG;
            }
            if (state.online() != null && rt.equals(state.online())) {
                err.println("rtsem: tune: --cpus " + cpus + " is every online CPU: interrupts and kernel work need "
                        + "at least one other");
                return RtsemCommand.EXIT_CONFIG;
            }
            why = "--cpus";
        } else {
            rt = shippedRealTimeCpus(state.online());
            why = rt.isEmpty() ? "" : "the CPUs configs/*.yaml pin HARD and SOFT threads to";
            if (rt.isEmpty() && state.online() != null) {
                rt = (BitSet) state.online().clone();
                rt.clear(0);
                why = "every online CPU but 0";
            }
        }
        if (apply || revert) {
            if (state.effectiveUid() == null || state.effectiveUid() != 0) {
                err.println("rtsem: tune: --" + (apply ? "apply" : "revert") + " needs root (this JVM's effective "
                        + "uid is " + state.effectiveUid() + "): it writes /proc/sys/kernel, /proc/irq and /sys; run "
                        + "sudo ./rtsem tune --" + (apply ? "apply" : "revert") + " (./rtsem tune shows what it would"
                        + " change)");
                return RtsemCommand.EXIT_CONFIG;
            }
            return apply ? apply(files, rt, out, err) : revert(files, out, err);
        }
        if (rt.isEmpty()) {
            out.println("rtsem tune: only CPU " + (state.online() == null ? "?" : CpuList.format(state.online()))
                    + " online: no CPU can be kept for real-time threads");
            return 0;
        }
        out.println("rtsem tune: real-time readiness for threads on CPU " + CpuList.format(rt) + " (" + why
                + "); nothing is changed without --apply");
        for (String line : Readiness.lines(state, rt)) {
            out.println("  " + line);
        }
        out.println(
                state.tuneState()
                        ? "rtsem's tuning is applied (" + files.path(MachineFiles.STATE_FILE)
                                + " holds the original values; " + "./rtsem tune --revert restores them)"
                        : "rtsem's tuning is not applied (no " + files.path(MachineFiles.STATE_FILE)
                                + "); as root, ./rtsem tune --apply sets what can be set at run time");
        out.println("What each setting does, and what rtsem does and does not do about it: docs/DEPLOYING.md");
        return 0;
    }

    private static int apply(MachineFiles files, BitSet rt, PrintWriter out, PrintWriter err) {
        if (rt.isEmpty()) {
            err.println("rtsem: tune: no CPU to keep for real-time threads (one CPU online); nothing applied");
            return RtsemCommand.EXIT_CONFIG;
        }
        Tuning.Outcome o;
        try {
            o = Tuning.apply(files, rt);
        } catch (IllegalArgumentException e) {
            err.println("rtsem: tune: --cpus " + CpuList.format(rt) + ": " + e.getMessage());
            return RtsemCommand.EXIT_CONFIG;
        } catch (IOException e) {
            err.println("rtsem: tune: nothing applied: " + e.getMessage());
            return RtsemCommand.EXIT_RUN_FAILED;
        }
        out.println("rtsem tune --apply: real-time CPU " + CpuList.format(rt));
        o.lines().forEach(l -> out.println("  " + l));
        return o.failed() ? RtsemCommand.EXIT_RUN_FAILED : 0;
    }

    private static int revert(MachineFiles files, PrintWriter out, PrintWriter err) {
        Tuning.Outcome o;
        try {
            o = Tuning.revert(files);
        } catch (NoSuchFileException e) {
            err.println("rtsem: tune: nothing to revert: no rtsem tune state file at " + e.getFile()
                    + " (./rtsem tune --apply writes it; it is gone after a reboot, as are the values it restores)");
            return RtsemCommand.EXIT_CONFIG;
        } catch (IOException e) {
            err.println("rtsem: tune: nothing reverted: " + e.getMessage());
            return RtsemCommand.EXIT_RUN_FAILED;
        }
        out.println("rtsem tune --revert:");
        o.lines().forEach(l -> out.println("  " + l));
        return o.failed() ? RtsemCommand.EXIT_RUN_FAILED : 0;
    }

    /**
     * @param online the online CPUs, or null if unknown
     * @return the online CPUs the scenarios in configs/ pin HARD or SOFT threads to (empty if none, or unreadable)
     */
    static BitSet shippedRealTimeCpus(BitSet online) {
        BitSet cpus = new BitSet();
        Path dir = RtsemCommand.root().resolve("configs");
        List<Path> yamls;
        try (Stream<Path> s = Files.list(dir)) {
            yamls = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            return cpus;
        }
        ScenarioLoader loader = new ScenarioLoader();
        for (Path p : yamls) {
            try {
                for (ThreadSpec t : loader.load(p).threads()) {
                    if (t.cpu() >= 0 && t.context() != RtContext.NON_RT) {
                        cpus.set(t.cpu());
                    }
                }
            } catch (ConfigException e) {
                // list-configs reports invalid scenarios; here they just pin nothing
            }
        }
        if (online != null) {
            cpus.and(online);
            if (cpus.equals(online)) {
                cpus.clear(); // every CPU: fall back to "all but 0"
            }
        }
        return cpus;
    }
}
