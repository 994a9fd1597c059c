package io.rtsem.latency.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apply, state file and revert ({@link Tuning}'s guarantees 1-4) on a fake tree: nothing touches the machine. */
class TuningTest {
    @TempDir
    Path root;

    private JsonNode originals() throws IOException {
        return new ObjectMapper()
                .readTree(root.resolve(MachineFiles.STATE_FILE).toFile())
                .path("originals");
    }

    @Test
    void applyWritesTheRealTimeValuesAndSavesTheOriginals() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        Tuning.Outcome o = Tuning.apply(files, CpuList.parse("2-3"));
        assertFalse(o.failed(), o.lines().toString());
        assertEquals("-1\n", files.read(MachineFiles.RT_RUNTIME));
        assertEquals("0-1\n", files.read("proc/irq/24/smp_affinity_list"), "0-3 without the real-time CPUs");
        assertEquals("0-1\n", files.read("proc/irq/25/smp_affinity_list"), "only on CPU 2: to every other CPU");
        assertEquals("0\n", files.read("proc/irq/26/smp_affinity_list"), "already off them: untouched");
        assertEquals("3\n", files.read(MachineFiles.DEFAULT_IRQ_AFFINITY));
        assertEquals("3\n", files.read(MachineFiles.WORKQUEUE_CPUMASK));
        for (int cpu = 0; cpu < 4; cpu++) {
            assertEquals("performance\n", files.read("sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_governor"));
        }
        JsonNode saved = originals();
        assertEquals("950000\n", saved.path(MachineFiles.RT_RUNTIME).asText());
        assertEquals("0-3\n", saved.path("proc/irq/24/smp_affinity_list").asText());
        assertEquals("2\n", saved.path("proc/irq/25/smp_affinity_list").asText());
        assertTrue(saved.path("proc/irq/26/smp_affinity_list").isMissingNode(), "nothing changed, nothing saved");
        assertEquals("f\n", saved.path(MachineFiles.DEFAULT_IRQ_AFFINITY).asText());
        assertEquals(
                "powersave\n",
                saved.path("sys/devices/system/cpu/cpu3/cpufreq/scaling_governor")
                        .asText());
        assertEquals(9, saved.size(), saved.toString()); // runtime, IRQs 24 and 25, default, workqueues, 4 governors
        assertTrue(
                o.lines().contains("set proc/sys/kernel/sched_rt_runtime_us: 950000 -> -1"),
                o.lines().toString());
    }

    @Test
    void revertRestoresEveryFileByteForByteAndDeletesTheStateFile() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        Map<String, String> before = FakeMachine.snapshot(root);
        assertFalse(Tuning.apply(files, CpuList.parse("1")).failed());
        assertNotEquals(before, FakeMachine.snapshot(root));
        Tuning.Outcome o = Tuning.revert(files);
        assertFalse(o.failed(), o.lines().toString());
        assertEquals(before, FakeMachine.snapshot(root));
        assertFalse(Files.exists(files.path(MachineFiles.STATE_FILE)));
        assertFalse(
                Files.exists(files.path(MachineFiles.STATE_FILE).getParent()),
                "the directory apply made for the state file is gone too");
        assertThrows(NoSuchFileException.class, () -> Tuning.revert(files), "a second revert has nothing to revert");
    }

    @Test
    void applyAndRevertRefuseWhileAnotherHoldsTheLock() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        java.nio.file.Path lockPath = files.path(Tuning.LOCK_FILE);
        Files.createDirectories(lockPath.getParent());
        try (java.nio.channels.FileChannel other = java.nio.channels.FileChannel.open(
                        lockPath, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock held = other.lock()) {
            java.util.BitSet cpu1 = CpuList.parse("1");
            java.nio.file.FileSystemException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.nio.file.FileSystemException.class, () -> Tuning.apply(files, cpu1));
            org.junit.jupiter.api.Assertions.assertTrue(
                    e.getMessage().contains(lockPath.toString())
                            && e.getMessage().contains("another ./rtsem tune"),
                    e.getMessage());
            org.junit.jupiter.api.Assertions.assertFalse(
                    Files.exists(root.resolve(MachineFiles.STATE_FILE)), "nothing was applied");
            java.nio.file.FileSystemException r = org.junit.jupiter.api.Assertions.assertThrows(
                    java.nio.file.FileSystemException.class, () -> Tuning.revert(files));
            org.junit.jupiter.api.Assertions.assertTrue(
                    r.getMessage().contains("another ./rtsem tune"), r.getMessage());
        }
    }

    @Test
    void applyingTwiceKeepsTheFirstOriginals() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        Map<String, String> before = FakeMachine.snapshot(root);
        Tuning.apply(files, CpuList.parse("3"));
        // someone else changes a value meanwhile; a second apply on other CPUs changes IRQ 24 again
        FakeMachine.put(root, MachineFiles.RT_RUNTIME, "500000\n");
        Tuning.Outcome second = Tuning.apply(files, CpuList.parse("1-2"));
        assertFalse(second.failed(), second.lines().toString());
        assertEquals("0\n", files.read("proc/irq/24/smp_affinity_list"));
        assertEquals(
                "0,3\n",
                files.read("proc/irq/25/smp_affinity_list"),
                "only on CPU 2: to the CPUs that are not real-time");
        JsonNode saved = originals();
        assertEquals("950000\n", saved.path(MachineFiles.RT_RUNTIME).asText(), "the first original, not 500000");
        assertEquals("0-3\n", saved.path("proc/irq/24/smp_affinity_list").asText());
        assertTrue(second.lines().get(second.lines().size() - 1).contains("kept from an earlier --apply"));
        Tuning.revert(files);
        assertEquals(before, FakeMachine.snapshot(root), "revert goes back to before the first apply");
    }

    @Test
    void anIrqThatRefusesIsReportedAndNotSaved() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        // a real sysfs file that holds a CPU list and refuses every write (even root's), as some IRQs refuse theirs
        Path irq = root.resolve("proc/irq/27/smp_affinity_list");
        Files.createDirectories(irq.getParent());
        Files.createSymbolicLink(irq, Path.of("/sys/devices/system/cpu/online"));
        String real = files.read("proc/irq/27/smp_affinity_list");
        Tuning.Outcome o = Tuning.apply(files, CpuList.parse("0-1"));
        assertFalse(o.failed(), "a refused IRQ is not fatal: " + o.lines());
        assertTrue(
                o.lines().stream().anyMatch(l -> l.startsWith("refused proc/irq/27/smp_affinity_list")),
                o.lines().toString());
        assertTrue(
                o.lines().get(o.lines().size() - 1).endsWith("1 IRQ(s) refused to move"),
                o.lines().toString());
        assertTrue(originals().path("proc/irq/27/smp_affinity_list").isMissingNode(), "unchanged: not saved");
        assertEquals(real, files.read("proc/irq/27/smp_affinity_list"));
        assertEquals("2-3\n", files.read("proc/irq/24/smp_affinity_list"), "the others still moved");
        assertFalse(Tuning.revert(files).failed());
    }

    @Test
    void anUnwritableSettingIsAFailureNamingTheFile() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        Path runtime = root.resolve(MachineFiles.RT_RUNTIME);
        Files.delete(runtime);
        // a number in a file nobody may write (sysfs, mode 0444): stands for a sched_rt_runtime_us that refuses
        Files.createSymbolicLink(runtime, Path.of("/sys/devices/system/cpu/kernel_max"));
        Tuning.Outcome o = Tuning.apply(files, CpuList.parse("1"));
        assertTrue(o.failed(), o.lines().toString());
        assertTrue(
                o.lines().stream()
                        .anyMatch(l -> l.startsWith("FAILED proc/sys/kernel/sched_rt_runtime_us (")
                                && l.endsWith("-> -1): Permission denied")),
                o.lines().toString());
        assertTrue(originals().path(MachineFiles.RT_RUNTIME).isMissingNode(), "unchanged: not saved");
        assertEquals("0,2-3\n", files.read("proc/irq/24/smp_affinity_list"), "the rest was applied");
    }

    @Test
    void aRevertThatCannotWriteKeepsThatValueInTheStateFile() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        Tuning.apply(files, CpuList.parse("1"));
        Path wq = root.resolve(MachineFiles.WORKQUEUE_CPUMASK);
        Files.delete(wq);
        Files.createDirectory(wq); // a directory cannot be written
        Tuning.Outcome o = Tuning.revert(files);
        assertTrue(o.failed(), o.lines().toString());
        assertEquals("950000\n", files.read(MachineFiles.RT_RUNTIME), "the others restored");
        JsonNode left = originals();
        assertEquals(1, left.size(), left.toString());
        assertEquals("f\n", left.path(MachineFiles.WORKQUEUE_CPUMASK).asText());
    }

    @Test
    void aStateFileThatIsNotOursStopsApplyAndRevertBeforeAnythingChanges() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        FakeMachine.put(root, MachineFiles.STATE_FILE, "{\"originals\": {\"/etc/passwd\": \"x\"}}");
        Map<String, String> before = FakeMachine.snapshot(root);
        IOException e = assertThrows(IOException.class, () -> Tuning.apply(files, CpuList.parse("1")));
        assertTrue(e.getMessage().contains("not an rtsem tune state file"), e.getMessage());
        assertThrows(IOException.class, () -> Tuning.revert(files));
        assertEquals(before, FakeMachine.snapshot(root));
    }

    @Test
    void realTimeCpusMustBeOnlineAndLeaveOneForTheRest() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        assertEquals(
                "CPU 5 is not online (online: 0-3)",
                assertThrows(IllegalArgumentException.class, () -> Tuning.apply(files, CpuList.parse("1,5")))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tuning.apply(files, CpuList.parse("0-3")))
                .getMessage()
                .contains("every online CPU"));
        assertFalse(Files.exists(files.path(MachineFiles.STATE_FILE)));
    }

    @Test
    void readinessNamesWhatEachSettingCostsFromTheMachinesOwnValues() throws IOException {
        MachineFiles files = FakeMachine.create(root);
        MachineState s = MachineState.read(files);
        String all = String.join("\n", Readiness.lines(s, CpuList.parse("1")));
        assertTrue(
                all.contains("NO RT throttling on (950000/1000000): a SCHED_FIFO spinner (HARD) is stopped 50 ms each "
                        + "second"),
                all);
        assertTrue(all.contains("NO isolcpus: no CPU isolated"), all);
        assertTrue(all.contains("NO nohz_full: this kernel has none"), all);
        assertTrue(all.contains("NO IRQ affinity: 1 of 3 IRQs may run on CPU 1 (IRQ 24)"), all);
        assertTrue(all.contains("NO CPU frequency governor: cpu1 powersave"), all);
        assertTrue(all.contains("ok CAP_SYS_NICE"), all);
        Tuning.apply(files, CpuList.parse("1"));
        String after = String.join("\n", Readiness.lines(MachineState.read(files), CpuList.parse("1")));
        assertTrue(after.contains("ok RT throttling off (sched_rt_runtime_us -1)"), after);
        assertTrue(after.contains("ok IRQ affinity: none of 3 IRQs may run on CPU 1"), after);
        assertTrue(MachineState.read(files).tuneState());
    }
}
