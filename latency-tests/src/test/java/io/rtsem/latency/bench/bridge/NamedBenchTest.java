package io.rtsem.latency.bench.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Smoke test of {@code ./rtsem bench-named} ({@link NamedBench}), briefly: every arm runs in its own processes and
 * yields as many positive samples as asked, the report shows each arm and ratio, and no semaphore is left behind.
 * Speed is not asserted (CONTRIBUTING.md).
 */
class NamedBenchTest {
    @Test
    void aShortRunMeasuresEveryArmAndLeavesNoSemaphoreBehind() throws Exception {
        NamedBench.Options o = new NamedBench.Options();
        o.warmup = 2_000;
        o.rounds = 5_000;
        o.wakeRounds = 50;
        o.gapMicros = 100;
        o.passes = 1;
        o.armMillis = 30_000; // so that every arm reaches its rounds, and the count can be asserted
        StringWriter progress = new StringWriter();
        NamedBench.Result r = new NamedBench(o, new PrintWriter(progress, true)).run();

        assertEquals(NamedBench.HANDOFF_ARMS, List.copyOf(r.handoff.keySet()));
        for (String arm : NamedBench.HANDOFF_ARMS) {
            Histogram h = r.handoff.get(arm).get(0);
            assertEquals(o.rounds, h.getTotalCount(), arm);
            assertTrue(h.getValueAtPercentile(50) > 0, arm);
        }
        assertEquals(NamedBench.WAKE_ARMS, List.copyOf(r.wake.keySet()));
        for (String arm : NamedBench.WAKE_ARMS) {
            Histogram h = r.wake.get(arm).get(0);
            assertEquals(o.wakeRounds, h.getTotalCount(), arm);
            assertTrue(h.getValueAtPercentile(50) > 0, arm + ": a wake takes some time after the post");
        }
        assertTrue(r.serviceCpuNanosPerSecond[0] > 0, "the service polls while a semaphore is open");
        assertTrue(r.serviceCpuNanosPerSecond[1] > 0, "and polls while a sleeper is registered");
        String text = NamedBench.render(r);
        for (String s : new String[] {
            "RtSemaphore, 2 threads of 1 JVM (baseline)",
            "Chronicle OS.map + UnsafeMemory CAS",
            "Chronicle word / JDK word, all passes:",
            "C sem_wait (baseline)",
            "Java NON_RT waiter / C waiter, all passes:",
            "one NON_RT sleeper registered (20 us poll)"
        }) {
            assertTrue(text.contains(s), s + " in:\n" + text);
        }
        assertTrue(
                text.matches(
                        "(?s).*Java NON_RT waiter / C waiter, all passes: +p50 \\d+\\.\\d\\d  p99 \\d+\\.\\d\\d.*"),
                text);
        String pid = Long.toString(ProcessHandle.current().pid());
        try (Stream<Path> left = Files.list(Path.of("/dev/shm"))) {
            assertTrue(
                    left.noneMatch(p -> p.getFileName().toString().startsWith("sem.rtsem-bench-" + pid + "-")),
                    "every benchmark semaphore unlinked");
        }
    }
}
