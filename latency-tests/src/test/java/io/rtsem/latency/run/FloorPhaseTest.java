package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.ScenarioLoader;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.report.ReportFiles;
import io.rtsem.latency.report.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The floor phase's CPUs and per-CPU gap detectors, and what the run says when a detector has no figures.
 *
 * <p>ValidateEndToEndTest once lacked {@code hiccups-cpu0.hgrm} and {@code floor.cpuHiccups["0"]} (report.json had
 * {@code floor.cpus ["1", "none"]} with {@code run.cpus 2}): the floor's CPUs were CPUs 0 to
 * {@code availableProcessors() - 1}, and on JDK 17 in a container {@code availableProcessors()} is one figure for the
 * whole process, cached for 20 ms and computed from the affinity mask of whichever thread asked last. During a run
 * every JVM thread but the pinned ones is confined to CPU 0, and the VM Thread asks at its GC and safepoint
 * operations (several times a second, seen with {@code -Xlog:os+container=trace}); when it had asked in the 20 ms
 * before the harness, the harness was told 1 on this 2-CPU machine: the floor got no second CPU and CPU 0 no gap
 * detector. {@link #theFloorCpusDoNotDependOnWhatAConfinedThreadWasToldLast} reproduces that moment;
 * {@link #runWithCpu0BusyAndItsDetectorNeverScheduled} runs a whole scenario with CPU 0 kept busy by such a thread,
 * with CPU 0's gap detector replaced by one that is never scheduled, and checks that the run says so.
 */
class FloorPhaseTest {
    private static RunResult result;
    private static String summary;
    private static JsonNode json;
    private static Path out;

    /** A thread pinned to CPU 0 that asks for availableProcessors() until stopped: other work on CPU 0. */
    static final class CpuZeroLoad implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger calls = new AtomicInteger();
        final Thread thread = new Thread(
                () -> {
                    Affinity.setAffinity(0);
                    while (!stop.get()) {
                        Runtime.getRuntime().availableProcessors();
                        calls.incrementAndGet();
                        Thread.onSpinWait();
                    }
                },
                "cpu0-load");

        CpuZeroLoad start() throws InterruptedException {
            thread.setDaemon(true);
            thread.start();
            while (calls.get() < 10) {
                Thread.sleep(1);
            }
            return this;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5_000);
        }
    }

    @BeforeAll
    static void runWithCpu0BusyAndItsDetectorNeverScheduled() throws Exception {
        out = Path.of("target", "rtsem-test", "floor-phase").toAbsolutePath();
        deleteRecursively(out);
        var scenario = new ScenarioLoader(2)
                .load(Path.of("src/test/resources/scenarios/pinned-short.yaml").toAbsolutePath());
        CpuGapMeter.Starter cpu0NeverScheduled = (name, cpu, body) -> {
            if (cpu != 0) {
                return CpuGapMeter.PINNED.start(name, cpu, body);
            }
            Thread t = new Thread(() -> {}, name);
            t.start();
            return t;
        };
        try (CpuZeroLoad load = new CpuZeroLoad().start()) {
            result = new ValidationRun(scenario, out, null, false)
                    .withGapStarter(cpu0NeverScheduled)
                    .run();
        }
        RunReport report = new RunReport(result, List.of());
        summary = ReportFiles.write(report);
        json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    }

    @Test
    void theFloorIsOnCpus1And0WithCpu0Busy() {
        assertArrayEquals(new int[] {1, 0}, result.floorCpus(), "the HARD loop's CPU 1, completed with CPU 0");
        assertEquals("[\"1\",\"0\"]", json.path("floor").path("cpus").toString());
        assertEquals(
                List.of(1, 0),
                result.cpuHiccups().stream().map(CpuGapMeter.CpuGaps::cpu).toList(),
                "a gap detector was started for each floor CPU");
        CpuGapMeter.CpuGaps cpu1 = result.cpuHiccups().get(0);
        assertTrue(cpu1.measured() && cpu1.problem() == null, "CPU 1's detector measured its window: " + cpu1);
    }

    @Test
    void theFloorCpusDoNotDependOnWhatAConfinedThreadWasToldLast() throws InterruptedException {
        List<ThreadSpec> hardOn1 = List.of(spec("h", RtContext.HARD, 1), spec("n", RtContext.NON_RT, RtThread.NO_PIN));
        BitSet mine = Affinity.getAffinity();
        assertTrue(mine.get(0) && mine.get(1), "this test thread may use CPUs 0 and 1: " + mine);
        int told1 = 0;
        for (int i = 0; i < 5; i++) {
            // a thread confined to CPU 0 asks once the cached figure is stale (20 ms), as the VM Thread does
            Thread confined = new Thread(() -> {
                Affinity.setAffinity(0);
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    return;
                }
                Runtime.getRuntime().availableProcessors();
            });
            confined.start();
            confined.join();
            // right after it, as the harness did when the peer's phase ended
            int[] cpus = ValidationRun.floorCpus(hardOn1, mine);
            told1 += Runtime.getRuntime().availableProcessors() < 2 ? 1 : 0;
            assertArrayEquals(new int[] {1, 0}, cpus, "try " + i);
        }
        System.out.println("availableProcessors() said 1 to this thread (CPUs " + mine + ") right after a thread "
                + "confined to CPU 0 asked, " + told1
                + " times of 5 (JDK 17 in a container: a process-wide figure cached "
                + "20 ms; 0 where the JVM sees no container or asks the calling thread's mask)");
    }

    @Test
    void aDetectorWithoutFiguresIsSaidInTheNotesTheSummaryAndReportJson() throws IOException {
        String reason = "no gap detector figures for CPU 0: its detector thread made no clock read in its 100 ms "
                + "window (it was not scheduled before the window ended)";
        assertEquals(List.of(reason), result.floorNotes());
        assertTrue(result.notes().contains(reason), result.notes().toString());
        assertTrue(summary.contains("note: " + reason), summary);
        assertEquals("[\"" + reason + "\"]", json.path("floor").path("notes").toString());
        assertTrue(json.path("run").path("notes").toString().contains(reason));
        // no zeros that would read as "no hiccups on CPU 0": its key is absent, CPU 1's is there
        assertFalse(
                json.path("floor").path("cpuHiccups").has("0"),
                json.path("floor").toString());
        assertTrue(json.path("floor").path("cpuHiccups").path("1").path("count").isIntegralNumber());
        assertEquals("#[" + reason + "]\n", Files.readString(out.resolve("hiccups-cpu0.hgrm")));
        assertTrue(Files.size(out.resolve("hiccups-cpu1.hgrm")) > 0);
    }

    @Test
    void floorCpusComeFromTheAffinityMask() {
        List<ThreadSpec> hardOn1 = List.of(spec("h", RtContext.HARD, 1), spec("n", RtContext.NON_RT, RtThread.NO_PIN));
        assertArrayEquals(new int[] {1, 0}, ValidationRun.floorCpus(hardOn1, cpus(0, 1)));
        assertArrayEquals(
                new int[] {1, RtThread.NO_PIN},
                ValidationRun.floorCpus(hardOn1, cpus(1)),
                "only CPU 1 allowed: no second CPU");
        assertArrayEquals(
                new int[] {0, 1},
                ValidationRun.floorCpus(List.of(spec("s", RtContext.SOFT, RtThread.NO_PIN)), cpus(0, 1)),
                "nothing pinned: the two lowest CPUs");
        assertArrayEquals(
                new int[] {3, 1},
                ValidationRun.floorCpus(
                        List.of(
                                spec("a", RtContext.HARD, 3),
                                spec("b", RtContext.SOFT, 1),
                                spec("c", RtContext.HARD, 2)),
                        cpus(0, 1, 2, 3)),
                "the first two pinned");
        assertArrayEquals(
                new int[] {2, 5},
                ValidationRun.floorCpus(List.of(spec("a", RtContext.NON_RT, 0)), cpus(2, 5)),
                "a pinned NON_RT thread is not a real-time CPU");
    }

    private static ThreadSpec spec(String name, RtContext context, int cpu) {
        return new ThreadSpec(name, context, cpu, Role.ACQUIRER, 1_000_000L, 1, 0, true, 0);
    }

    private static BitSet cpus(int... cpus) {
        BitSet b = new BitSet();
        for (int c : cpus) {
            b.set(c);
        }
        return b;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
