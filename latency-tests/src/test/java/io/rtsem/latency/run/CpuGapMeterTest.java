package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtThread;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-CPU gap detector: one pinned spinner per distinct CPU, only gaps over the threshold recorded. */
class CpuGapMeterTest {

    @Test
    void oneDetectorPerDistinctCpuRecordingOnlyGapsOverTheThreshold() throws InterruptedException {
        List<CpuGapMeter.CpuGaps> gaps = CpuGapMeter.measure(new int[] {1, 0, 1, RtThread.NO_PIN}, 100_000_000L);
        assertEquals(2, gaps.size(), "CPUs 1 and 0, once each; NO_PIN skipped");
        assertEquals(1, gaps.get(0).cpu());
        assertEquals(0, gaps.get(1).cpu());
        for (CpuGapMeter.CpuGaps g : gaps) {
            assertTrue(g.reads() > 1000, "the detector on CPU " + g.cpu() + " spun: " + g.reads() + " clock reads");
            if (g.gaps().getTotalCount() > 0) {
                assertTrue(g.gaps().getMinValue() > CpuGapMeter.THRESHOLD_NANOS - 10,
                    "nothing at or under the threshold is recorded: " + g.gaps().getMinValue());
            }
            System.out.println("cpu " + g.cpu() + ": " + g.gaps().getTotalCount() + " gaps over 1 us in 100 ms, max "
                + g.gaps().getMaxValue() + " ns");
        }
    }
}
