package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtThread;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-CPU gap detector: one pinned spinner per distinct CPU, only gaps over the threshold recorded; a CPU whose
 * detector could not be pinned, never ran or ran late is in the result with the reason, not dropped.
 */
class CpuGapMeterTest {

    @Test
    void oneDetectorPerDistinctCpuRecordingOnlyGapsOverTheThreshold() throws InterruptedException {
        List<CpuGapMeter.CpuGaps> gaps = CpuGapMeter.measure(new int[] {1, 0, 1, RtThread.NO_PIN}, 100_000_000L);
        assertEquals(2, gaps.size(), "CPUs 1 and 0, once each; NO_PIN skipped");
        assertEquals(1, gaps.get(0).cpu());
        assertEquals(0, gaps.get(1).cpu());
        for (CpuGapMeter.CpuGaps g : gaps) {
            assertTrue(g.reads() > 1000, "the detector on CPU " + g.cpu() + " spun: " + g.reads() + " clock reads");
            assertTrue(g.measured());
            assertNull(g.problem(), "the detector on CPU " + g.cpu() + " covered its window: " + g.problem());
            // A correctness bound, not a timing claim: the detector stops at its window's end (its last read can
            // come late by however long it was descheduled just before it, so the upper bound is generous).
            assertTrue(
                    g.spanNanos() >= 50_000_000L && g.spanNanos() <= 100_000_000L + 2_000_000_000L,
                    "span of the clock reads: " + g.spanNanos());
            if (g.gaps().getTotalCount() > 0) {
                assertTrue(
                        g.gaps().getMinValue() > CpuGapMeter.THRESHOLD_NANOS - 10,
                        "nothing at or under the threshold is recorded: "
                                + g.gaps().getMinValue());
            }
            System.out.println("cpu " + g.cpu() + ": " + g.gaps().getTotalCount() + " gaps over 1 us in 100 ms, max "
                    + g.gaps().getMaxValue() + " ns");
        }
    }

    @Test
    void aDetectorThatCannotBePinnedIsReportedAndTheOtherCpusStillMeasured() throws InterruptedException {
        // was: RtThread.start's IllegalStateException ended the whole run (exit 3) after every phase had measured
        CpuGapMeter.Starter cpu0Taken = (name, cpu, body) -> {
            if (cpu == 0) {
                throw new IllegalStateException("RtThread '" + name + "' cannot be pinned to cpu 0: another live "
                        + "RtThread of this JVM is pinned there");
            }
            return CpuGapMeter.PINNED.start(name, cpu, body);
        };
        // 500 ms: on a loaded 2-CPU machine a pinned detector once went unscheduled for a whole 50 ms window
        List<CpuGapMeter.CpuGaps> gaps = CpuGapMeter.measure(new int[] {1, 0}, 500_000_000L, cpu0Taken);
        assertEquals(2, gaps.size(), "both CPUs are in the result");
        assertTrue(gaps.get(0).measured() && gaps.get(0).problem() == null, "CPU 1 measured: " + gaps.get(0));
        CpuGapMeter.CpuGaps cpu0 = gaps.get(1);
        assertEquals(0, cpu0.cpu());
        assertFalse(cpu0.measured());
        assertEquals(
                "no gap detector figures for CPU 0: its detector thread could not be pinned there (RtThread "
                        + "'rtsem-gap-0' cannot be pinned to cpu 0: another live RtThread of this JVM is pinned there)",
                cpu0.problem());
    }

    @Test
    void aDetectorThatNeverRunsInItsWindowHasNoFiguresAndSaysWhy() throws InterruptedException {
        // a detector thread that is started but not scheduled before its window ends makes no clock read: its empty
        // histogram would read as "no hiccups on this CPU"
        CpuGapMeter.Starter neverScheduled = (name, cpu, body) -> {
            Thread t = new Thread(() -> {}, name);
            t.start();
            return t;
        };
        CpuGapMeter.CpuGaps g =
                CpuGapMeter.measure(new int[] {0}, 20_000_000L, neverScheduled).get(0);
        assertEquals(0, g.reads());
        assertFalse(g.measured());
        assertEquals(
                "no gap detector figures for CPU 0: its detector thread made no clock read in its 20 ms window "
                        + "(it was not scheduled before the window ended)",
                g.problem());
    }

    @Test
    void aDetectorScheduledLateSaysHowMuchOfItsWindowItMeasured() throws InterruptedException {
        // the detector thread first runs 600 ms into a 1 s window (a CPU busy with other work): about 400 ms measured
        CpuGapMeter.Starter late = (name, cpu, body) -> CpuGapMeter.PINNED.start(name, cpu, () -> {
            try {
                TimeUnit.MILLISECONDS.sleep(610);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            body.run();
        });
        CpuGapMeter.CpuGaps g =
                CpuGapMeter.measure(new int[] {0}, 1_000_000_000L, late).get(0);
        assertTrue(g.measured(), "it ran for the rest of its window: " + g.reads() + " reads");
        assertTrue(g.spanNanos() < 500_000_000L, "span " + g.spanNanos());
        assertTrue(
                g.problem() != null
                        && g.problem().startsWith("the gap detector on CPU 0 measured only ")
                        && g.problem().contains(" ms of its 1000 ms window (it was scheduled late)"),
                g.problem());
    }

    @Test
    void aWindowThatIsNotPositiveIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CpuGapMeter.measure(new int[] {0}, 0));
        assertEquals("durationNanos must be positive, got 0", e.getMessage());
    }
}
