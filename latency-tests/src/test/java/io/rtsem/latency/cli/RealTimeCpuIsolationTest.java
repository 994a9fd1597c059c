package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.latency.run.ThreadConfinement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run whose HARD loop is pinned to CPU 1 (src/test/resources/scenarios/pinned-short.yaml), watched from another
 * thread of the same JVM while it measures: every thread of the JVM but the pinned ones (the JIT compiler, GC, VM,
 * JFR and test-runner threads included) must have CPU 1 out of its {@code Cpus_allowed_list}, and get its mask back
 * after the run. The run is not {@code --quiet}: its progress line goes to the command line's error writer.
 */
class RealTimeCpuIsolationTest {
    private static final int RT_CPU = 1;

    /** One thread as seen in /proc/self/task while the HARD loop ran. */
    record Seen(int tid, String name, BitSet allowed) {}

    private static final List<Seen> seen = new ArrayList<>();
    private static CliRun run;
    private static BitSet before;
    private static BitSet after;

    @BeforeAll
    static void runAndWatch() throws IOException, InterruptedException {
        int self = selfTid();
        before = ThreadConfinement.allowedCpus(self);
        Path out = Path.of("target", "rtsem-test", "pinned-short").toAbsolutePath();
        ValidateEndToEndTest.deleteRecursively(out);
        String scenario = Path.of("src/test/resources/scenarios/pinned-short.yaml")
                .toAbsolutePath()
                .toString();
        AtomicReference<CliRun> result = new AtomicReference<>();
        Thread runner = new Thread(
                () -> result.set(CliRun.of("validate", scenario, "--out", out.toString())), "isolation-test-run");
        runner.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        int snapshots = 0;
        while (runner.isAlive() && snapshots < 3 && System.nanoTime() < deadline) {
            List<Seen> now = snapshot();
            // once the HARD loop has pinned itself (a snapshot between its start and its pinning would show the
            // mask it inherited)
            if (now.stream()
                    .anyMatch(s -> s.name().equals("hard-loop") && s.allowed().equals(bitSet(RT_CPU)))) {
                seen.addAll(now);
                snapshots++;
            }
            Thread.sleep(20);
        }
        runner.join(60_000);
        assertFalse(runner.isAlive(), "the run ended within a minute");
        run = result.get();
        after = ThreadConfinement.allowedCpus(self);
    }

    private static List<Seen> snapshot() {
        List<Seen> out = new ArrayList<>();
        for (int tid : ThreadConfinement.tids()) {
            BitSet allowed = ThreadConfinement.allowedCpus(tid);
            if (allowed != null) {
                out.add(new Seen(tid, ThreadConfinement.name(tid), allowed));
            }
        }
        return out;
    }

    private static int selfTid() throws IOException {
        String link = java.nio.file.Files.readSymbolicLink(Path.of("/proc/thread-self"))
                .toString();
        return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
    }

    @Test
    void noThreadButThePinnedOnesMayRunOnTheRealTimeCpu() {
        assertNotNull(run);
        assertEquals(0, run.exitCode(), () -> run.out() + run.err());
        assertEquals(
                3,
                seen.stream().filter(s -> s.name().equals("hard-loop")).count(),
                "three snapshots of the JVM's threads while the HARD loop ran pinned to CPU " + RT_CPU);
        assertTrue(seen.stream().anyMatch(s -> s.name().startsWith("C2 CompilerThre")), "JIT threads were seen");
        List<String> intruders = new ArrayList<>();
        for (Seen s : seen) {
            boolean pinnedOnPurpose = s.name().equals("hard-loop")
                    || s.name().startsWith("rtsem-floor-")
                    || s.name().startsWith("rtsem-gap-");
            if (!pinnedOnPurpose && s.allowed().get(RT_CPU)) {
                intruders.add(s.tid() + " " + s.name() + " " + s.allowed());
            }
        }
        assertTrue(intruders.isEmpty(), "threads allowed on real-time CPU " + RT_CPU + ": " + intruders);
    }

    @Test
    void withoutQuietTheProgressLineShowsElapsedRemainingAndMax() {
        assertNotNull(run);
        // rtsem's largest wait so far, then the peer's, per context
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[pinned-short\\] rtsem\\+peer +measure +elapsed "
                        + "+[0-9.]+s remaining +[0-9.]+s \\| HARD max [0-9.]+us / [0-9.]+us \\| "
                        + "SOFT max [0-9.]+us / [0-9.]+us \\|")
                .matcher(run.err());
        assertTrue(m.find(), "a progress line on the error writer: " + run.err());
        assertFalse(run.out().contains("elapsed"), "progress is not on stdout");
    }

    @Test
    void everyThreadGetsItsMaskBackAfterTheRun() {
        assertEquals(before, after, "this thread's mask after the run");
    }

    private static BitSet bitSet(int cpu) {
        BitSet b = new BitSet();
        b.set(cpu);
        return b;
    }
}
