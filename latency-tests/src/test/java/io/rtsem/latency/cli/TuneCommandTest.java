package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.latency.machine.FakeMachine;
import io.rtsem.latency.machine.MachineFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./rtsem tune} on a fake tree ({@code --root}): what it shows, who may apply, exit codes 0, 2 and 3. */
class TuneCommandTest {
    @TempDir
    Path root;

    private CliRun tune(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "tune";
        all[1] = "--root";
        all[2] = root.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return CliRun.of(all);
    }

    @Test
    void withoutApplyItShowsEachSettingAndChangesNothing() throws IOException {
        FakeMachine.create(root);
        Map<String, String> before = FakeMachine.snapshot(root);
        CliRun run = tune();
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out()
                        .startsWith("rtsem tune: real-time readiness for threads on CPU 1 (the CPUs configs/*.yaml "
                                + "pin HARD and SOFT threads to); nothing is changed without --apply"),
                run.out());
        for (String s : new String[] {
            "RT throttling on (950000/1000000): a SCHED_FIFO spinner (HARD) is stopped 50 ms each second",
            "isolcpus",
            "nohz_full",
            "IRQ affinity",
            "unbound workqueues",
            "CPU frequency governor",
            "CAP_SYS_NICE",
            "RLIMIT_RTPRIO",
            "rtsem's tuning is not applied",
            "docs/DEPLOYING.md"
        }) {
            assertTrue(run.out().contains(s), s + " in:\n" + run.out());
        }
        assertEquals(before, FakeMachine.snapshot(root));
        assertFalse(Files.exists(root.resolve(MachineFiles.STATE_FILE)));
    }

    @Test
    void applyThenRevertAsRootLeavesTheTreeAsItWas() throws IOException {
        FakeMachine.create(root);
        Map<String, String> before = FakeMachine.snapshot(root);
        CliRun apply = tune("--apply", "--cpus", "2-3");
        assertEquals(0, apply.exitCode(), apply.out() + apply.err());
        assertTrue(apply.out().contains("set proc/sys/kernel/sched_rt_runtime_us: 950000 -> -1"), apply.out());
        assertTrue(tune().out().contains("rtsem's tuning is applied"));
        CliRun revert = tune("--revert");
        assertEquals(0, revert.exitCode(), revert.out() + revert.err());
        assertTrue(revert.out().contains("restored proc/sys/kernel/sched_rt_runtime_us: -1 -> 950000"), revert.out());
        assertEquals(before, FakeMachine.snapshot(root));
    }

    @Test
    void applyOrRevertWithoutRootExitsTwoNamingWhatIsNeeded() throws IOException {
        FakeMachine.create(root);
        FakeMachine.uid(root, 1000);
        Map<String, String> before = FakeMachine.snapshot(root);
        for (String what : new String[] {"--apply", "--revert"}) {
            CliRun run = tune(what);
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(
                    run.err().contains("rtsem: tune: " + what + " needs root (this JVM's effective uid is 1000)"),
                    run.err());
        }
        assertEquals(before, FakeMachine.snapshot(root));
    }

    @Test
    void revertWithoutAStateFileExitsTwo() throws IOException {
        FakeMachine.create(root);
        CliRun run = tune("--revert");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(
                run.err()
                        .startsWith("rtsem: tune: nothing to revert: no rtsem tune state file at "
                                + root.resolve(MachineFiles.STATE_FILE)),
                run.err());
    }

    @Test
    void aBadCpusValueExitsTwoNamingTheValue() throws IOException {
        FakeMachine.create(root);
        Map<String, String> before = FakeMachine.snapshot(root);
        assertEquals(
                "rtsem: tune: --cpus \"one\" is not a CPU list: \"one\" is not a CPU number; expected a list such as "
                        + "1 or 1-3,5" + System.lineSeparator(),
                tune("--apply", "--cpus", "one").err());
        CliRun offline = tune("--apply", "--cpus", "7");
        assertEquals(2, offline.exitCode());
        assertTrue(offline.err().contains("--cpus 7: CPU 7 is not online (online: 0-3)"), offline.err());
        CliRun all = tune("--cpus", "0-3");
        assertEquals(2, all.exitCode());
        assertTrue(all.err().contains("--cpus 0-3 is every online CPU"), all.err());
        assertEquals(2, tune("--apply", "--revert").exitCode());
        assertEquals(2, tune("--cpus", "").exitCode());
        assertEquals(before, FakeMachine.snapshot(root));
    }

    @Test
    void anUnwritableSettingExitsThree() throws IOException {
        FakeMachine.create(root);
        Path runtime = root.resolve(MachineFiles.RT_RUNTIME);
        Files.delete(runtime);
        Files.createSymbolicLink(runtime, Path.of("/sys/devices/system/cpu/kernel_max")); // mode 0444, refuses all
        CliRun run = tune("--apply", "--cpus", "1");
        assertEquals(3, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("FAILED proc/sys/kernel/sched_rt_runtime_us"), run.out());
    }
}
