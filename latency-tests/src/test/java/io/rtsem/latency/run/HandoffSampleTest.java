package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.ThreadSpec;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * A hand-off sample needs the release it measures from to lie between the call and the acquisition: a release
 * stamped after the acquisition (another thread's, read late) is skipped, not recorded as a 0 ns hand-off.
 */
class HandoffSampleTest {

    @Test
    void aReleaseStampedAfterTheAcquisitionIsNoSample() {
        ReleaseStamp stamp = new ReleaseStamp();
        int[] calls = {0};
        PermitGate gate = new PermitGate() {
            @Override
            public void acquire(int permits) {
                long now = System.nanoTime();
                // odd calls: a release just before the acquisition (a real hand-off); even calls: another thread's
                // release stamped after this acquisition, as the worker reads it
                stamp.setRelease(++calls[0] % 2 == 1 ? now : now + 10_000_000_000L);
            }

            @Override
            public void release(int permits) {}
        };
        ThreadSpec spec =
                new ThreadSpec("handoff", RtContext.HARD, RtThread.NO_PIN, Role.ACQUIRER, 1_000_000L, 1, 0, false, 0);
        PhaseRecorders warm = new PhaseRecorders();
        PhaseRecorders measured = new PhaseRecorders();
        long start = System.nanoTime() + 1_000_000L;
        ScenarioWorker w = new ScenarioWorker(
                spec,
                PhaseSchedule.single(start, start, start + 40_000_000L),
                new ScenarioWorker.Lane[] {
                    new ScenarioWorker.Lane(
                            gate, stamp, new AtomicLong(), measured, new OverBudgetLog(Long.MAX_VALUE, 16))
                },
                warm);
        w.run(); // on this thread: 40 iterations at 1 kHz
        assertNull(w.failure());
        Histogram waits = measured.sample(PhaseRecorders.slot(RtContext.HARD, Metric.WAIT));
        Histogram handoffs = measured.sample(PhaseRecorders.slot(RtContext.HARD, Metric.HANDOFF));
        assertEquals(40, waits.getTotalCount());
        assertEquals(20, handoffs.getTotalCount(), "only the odd iterations' hand-offs are samples");
    }
}
