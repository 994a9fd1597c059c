package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtThread;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The platform-stall meter: it runs at SCHED_FIFO 98 (read back from the kernel, not from its own bookkeeping), and a
 * stop of its CPU longer than the threshold is logged with its time. The stop is made here by a FIFO 98 thread on the
 * same CPU that runs busy for 5 ms (same priority: the meter cannot preempt it). The refusal without CAP_SYS_NICE is
 * checked end to end in {@code SchedulingRefusedTest} (the run's notes).
 */
class StallMeterTest {
    private static final int CPU = 0;

    @Test
    void runsAtFifo98AndLogsAStopOfItsCpu() throws Exception {
        try (StallMeter meter = new StallMeter(CPU)) {
            assertNull(meter.problem(), "the meter runs real-time here (as root)");
            int[] policyAndPriority = kernelPolicy("rtsem-stalls");
            assertEquals(1, policyAndPriority[0], "SCHED_FIFO in the kernel's view");
            assertEquals(StallMeter.PRIORITY, policyAndPriority[1]);
            long before = System.nanoTime();
            Thread busy =
                    RtThread.start("stall-maker", RtContext.SOFT, CPU, RtScheduling.fifo(StallMeter.PRIORITY), () -> {
                        long end = System.nanoTime() + 5_000_000L;
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                        }
                    });
            busy.join(20_000);
            Thread.sleep(20); // the meter wakes (late) and logs the stop
            long offset = EpochClock.offsetNanos();
            List<StallMeter.Stall> stalls = meter.stalls(offset);
            List<StallMeter.Stall> longOnes = new ArrayList<>();
            for (StallMeter.Stall s : stalls) {
                if (s.nanos() >= 3_000_000L && s.fromEpochNanos() >= before + offset - 1_000_000L) {
                    longOnes.add(s);
                }
            }
            // correctness bounds: the busy thread kept the CPU for 5 ms, so the meter's wake-up came at least 3 ms
            // late (a 1 ms sleep that began before the busy thread started ends inside its 5 ms)
            assertTrue(!longOnes.isEmpty(), "a stop of 3 ms or more, after the busy thread started: " + stalls);
            for (StallMeter.Stall s : stalls) {
                assertTrue(s.nanos() > StallMeter.STALL_NANOS, "only stops over the threshold are logged: " + s);
            }
        }
    }

    /** {policy, rt_priority} of the one thread of this JVM named {@code comm}, from /proc/self/task/TID/stat. */
    private static int[] kernelPolicy(String comm) throws IOException {
        List<int[]> found = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                if (!Files.readString(t.resolve("comm")).trim().equals(comm)) {
                    continue;
                }
                String stat = Files.readString(t.resolve("stat"));
                // fields after the last ')' start at field 3: rt_priority is field 40, policy field 41
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                found.add(new int[] {Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3])});
            }
        }
        assertEquals(1, found.size(), "one thread named " + comm);
        return found.get(0);
    }
}
