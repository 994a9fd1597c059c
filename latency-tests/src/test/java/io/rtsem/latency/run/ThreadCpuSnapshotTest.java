package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A thread that ended before the second snapshot still shows, with the CPU time it reported as it ended. */
class ThreadCpuSnapshotTest {

    @Test
    void threadsThatEndedBeforeTheSnapshotAreCountedFromWhatTheyReported() throws Exception {
        ThreadCpuSnapshot before = ThreadCpuSnapshot.take();
        long[] reported = new long[1];
        Thread worker = new Thread(
                () -> {
                    long until = System.nanoTime() + 50_000_000L;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait(); // burn about 50 ms of CPU
                    }
                    reported[0] = java.lang.management.ManagementFactory.getThreadMXBean()
                            .getCurrentThreadCpuTime();
                },
                "ended-early");
        worker.start();
        worker.join();
        ThreadCpuSnapshot after = ThreadCpuSnapshot.take();
        assertFalse(after.since(before, 100).containsKey("ended-early"), "a plain snapshot misses it");
        Map<String, Double> withEnded = after.since(before, 100, Map.of("ended-early", reported[0]));
        assertEquals(reported[0] / 1e6, withEnded.get("ended-early"), 0.1);
        assertTrue(withEnded.get("ended-early") >= 10, "it spun about 50 ms: " + withEnded);
        // a thread the snapshot saw alive keeps the snapshot's figure, not a reported one on top of it
        String self = Thread.currentThread().getName();
        Map<String, Double> live = after.since(before, 100, Map.of(self, 999_000_000_000L));
        assertTrue(live.getOrDefault(self, 0.0) < 999_000, "not added twice: " + live.get(self));
    }
}
