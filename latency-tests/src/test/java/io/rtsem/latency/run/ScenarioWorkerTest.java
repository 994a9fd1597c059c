package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.SemaphoreSpec;
import io.rtsem.latency.config.ThreadSpec;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The scenario loop itself: what it records, and that once warm it allocates nothing while it
 * measures (ThreadMXBean's per-thread allocated bytes, sampled every 10 ms).
 */
class ScenarioWorkerTest {
    private static final long MS = 1_000_000L;

    /** One permit, rtsem's defaults, no bridge. */
    private static SemaphoreSpec onePermit() {
        return new SemaphoreSpec(
                1,
                1,
                false,
                Map.of(),
                SemaphoreSpec.DEFAULT_MAX_BYPASS_NANOS,
                SemaphoreSpec.DEFAULT_PARK_FALLBACK_NANOS);
    }

    private static RtsemUnderTest binarySemaphore() {
        return new RtsemUnderTest(onePermit(), false);
    }

    /** A worker on one subject, rtsem, logging waits over {@code overBudgetNanos} for JFR. */
    private static ScenarioWorker singleLane(
            ThreadSpec spec,
            RtsemUnderTest subject,
            PhaseSchedule schedule,
            PhaseRecorders measured,
            PhaseRecorders warm,
            long overBudgetNanos) {
        return new ScenarioWorker(
                spec,
                schedule,
                new ScenarioWorker.Lane[] {
                    new ScenarioWorker.Lane(
                            subject.gateFor(spec),
                            new ReleaseStamp(),
                            new AtomicLong(),
                            measured,
                            new OverBudgetLog(overBudgetNanos, 1024))
                },
                warm);
    }

    /** Eight permits of eight, rtsem's defaults, no bridge. */
    private static SemaphoreSpec eightPermits() {
        return new SemaphoreSpec(
                8,
                8,
                false,
                Map.of(),
                SemaphoreSpec.DEFAULT_MAX_BYPASS_NANOS,
                SemaphoreSpec.DEFAULT_PARK_FALLBACK_NANOS);
    }

    /**
     * A consuming acquirer ({@code releases: none}) and the releaser that feeds it, on one subject and one schedule,
     * sharing its release stamp and outstanding count as the harness does; not started.
     *
     * @return the consumer's worker, then the releaser's
     */
    private static ScenarioWorker[] consumerAndReleaser(
            RtsemUnderTest subject, ThreadSpec consumer, ThreadSpec releaser, PhaseSchedule schedule) {
        AtomicLong outstanding = new AtomicLong();
        ReleaseStamp stamp = new ReleaseStamp();
        PhaseRecorders warm = new PhaseRecorders();
        PhaseRecorders measured = new PhaseRecorders();
        ThreadSpec[] specs = {consumer, releaser};
        ScenarioWorker[] workers = new ScenarioWorker[2];
        for (int w = 0; w < 2; w++) {
            workers[w] = new ScenarioWorker(
                    specs[w],
                    schedule,
                    new ScenarioWorker.Lane[] {lane(subject.gateFor(specs[w]), stamp, outstanding, measured)},
                    warm);
        }
        workers[1].consumers(java.util.List.of(workers[0]));
        return workers;
    }

    /** A lane on {@code gate} that logs no wait for JFR. */
    private static ScenarioWorker.Lane lane(
            PermitGate gate, ReleaseStamp stamp, AtomicLong outstanding, PhaseRecorders measured) {
        return new ScenarioWorker.Lane(gate, stamp, outstanding, measured, new OverBudgetLog(Long.MAX_VALUE, 1024));
    }

    @Test
    void hardLoopAllocatesNothingWhileMeasuring() throws InterruptedException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ThreadSpec spec = new ThreadSpec(
                "alloc-check", RtContext.HARD, RtThread.NO_PIN, Role.ACQUIRER, 100_000L, 1, 1_000L, true, 0);
        try (RtsemUnderTest subject = binarySemaphore()) {
            PhaseRecorders warm = new PhaseRecorders();
            PhaseRecorders measured = new PhaseRecorders();
            long start = System.nanoTime() + 20 * MS;
            // 20,000 iterations of warm-up: C2 has compiled the loop's path before measurement (its first
            // compilations make the thread allocate a few dozen bytes, once)
            long measureStart = start + 2_000 * MS;
            long stop = measureStart + 600 * MS;
            ScenarioWorker worker =
                    singleLane(spec, subject, PhaseSchedule.single(start, measureStart, stop), measured, warm, 1);
            RtThread t = RtThread.start(spec.name(), spec.context(), spec.cpu(), worker);
            sleepUntil(measureStart + 100 * MS);
            long before = threads.getThreadAllocatedBytes(t.getId());
            long prev = before;
            StringBuilder when = new StringBuilder();
            for (int i = 1; i <= 40; i++) {
                sleepUntil(measureStart + 100 * MS + i * 10 * MS);
                long a = threads.getThreadAllocatedBytes(t.getId());
                if (a != prev) {
                    when.append(" +")
                            .append(a - prev)
                            .append("B at ")
                            .append(100 + i * 10)
                            .append("ms");
                }
                prev = a;
            }
            long after = threads.getThreadAllocatedBytes(t.getId());
            System.out.println("allocation of the HARD loop while measuring:" + when);
            t.join(5_000);
            assertNull(worker.failure());
            assertEquals(0, after - before, "bytes allocated by the HARD loop during 400 ms of measurement");
            long waits = measured.sample(PhaseRecorders.slot(RtContext.HARD, Metric.WAIT))
                    .getTotalCount();
            assertTrue(waits >= 5_000 && waits <= 6_000, "one wait per 100 us of the measured 600 ms: " + waits);
            assertTrue(worker.overBudget().count() > 0, "waits over a 1 ns budget were logged for JFR");
            long warmWaits = warm.sample(PhaseRecorders.slot(RtContext.HARD, Metric.WAIT))
                    .getTotalCount();
            assertTrue(warmWaits >= 19_000 && warmWaits <= 20_000, "warm-up went to its own recorders: " + warmWaits);
        }
    }

    @Test
    void hardLoopInterleavingRtsemAndTheSpinningPeerAllocatesNothingWhileMeasuring() throws InterruptedException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ThreadSpec spec = new ThreadSpec(
                "alloc-check-2", RtContext.HARD, RtThread.NO_PIN, Role.ACQUIRER, 100_000L, 1, 1_000L, true, 0);
        SemaphoreSpec sem = onePermit();
        try (RtsemUnderTest rtsem = new RtsemUnderTest(sem, false)) {
            JucPeerUnderTest peer = new JucPeerUnderTest(sem);
            PhaseRecorders warm = new PhaseRecorders();
            PhaseRecorders[] measured = {new PhaseRecorders(), new PhaseRecorders()};
            ScenarioWorker.Lane[] lanes = {
                lane(rtsem.gateFor(spec), new ReleaseStamp(), new AtomicLong(), measured[0]),
                lane(peer.gateFor(spec), new ReleaseStamp(), new AtomicLong(), measured[1])
            };
            long start = System.nanoTime() + 20 * MS;
            long measureStart = start + 2_000 * MS; // 20,000 iterations of warm-up, both subjects alternating
            Slices slices = Slices.interleaved(measureStart, 300 * MS, 10 * MS);
            ScenarioWorker worker =
                    new ScenarioWorker(spec, new PhaseSchedule(slices, start, measureStart, null), lanes, warm);
            RtThread t = RtThread.start(spec.name(), spec.context(), spec.cpu(), worker);
            sleepUntil(measureStart + 100 * MS);
            long before = threads.getThreadAllocatedBytes(t.getId());
            sleepUntil(measureStart + 500 * MS);
            long after = threads.getThreadAllocatedBytes(t.getId());
            t.join(5_000);
            assertNull(worker.failure());
            assertEquals(
                    0, after - before, "bytes allocated by the HARD loop during 400 ms of interleaved measurement");
            long[] waits = new long[2];
            for (int i = 0; i < 2; i++) {
                waits[i] = measured[i]
                        .sample(PhaseRecorders.slot(RtContext.HARD, Metric.WAIT))
                        .getTotalCount();
                assertEquals(worker.completed(i), waits[i], "subject " + i + ": a wait per completed iteration");
                assertEquals(
                        slices.scheduled(i, start, 100_000L),
                        worker.completed(i),
                        "subject " + i + " completed its schedule");
            }
            assertEquals(6_000, waits[0] + waits[1], "one wait per 100 us of the measured 600 ms, on one subject each");
            // between iterations it spun on its own CPU, a gap detector in its own slices (the hiccup floor's source)
            long spun = worker.spunNanos(0) + worker.spunNanos(1);
            assertTrue(spun > 400 * MS && spun <= 600 * MS, "spun " + spun + " ns of the 600 ms between iterations");
            assertTrue(waits[0] >= 2_000 && waits[1] >= 2_000, "both subjects measured: " + waits[0] + ", " + waits[1]);
        }
    }

    /**
     * A SOFT loop under a real-time policy sleeps between iterations instead of yielding, which at SCHED_FIFO yields to
     * nobody: at 3 kHz (333 us periods, which the SCHED_OTHER pacing never parks for) it must leave most of its CPU to
     * the SCHED_OTHER threads there. The bound, 40 % of the wall time, is a behaviour bound between what napping
     * and yielding use here (docs/LATENCY.md, "What is measured", has the figures).
     */
    @Test
    void aRealTimeSoftLoopSleepsBetweenIterations() throws InterruptedException {
        ThreadSpec spec = new ThreadSpec(
                "soft-nap", RtContext.SOFT, RtThread.NO_PIN, Role.ACQUIRER, 333_333L, 1, 1_000L, true, 0);
        try (RtsemUnderTest subject = binarySemaphore()) {
            long start = System.nanoTime() + 20 * MS;
            long measureStart = start + 300 * MS;
            long stop = measureStart + 600 * MS;
            ScenarioWorker worker = singleLane(
                    spec,
                    subject,
                    PhaseSchedule.single(start, measureStart, stop),
                    new PhaseRecorders(),
                    new PhaseRecorders(),
                    Long.MAX_VALUE);
            RtThread t = RtThread.start(spec.name(), spec.context(), spec.cpu(), worker);
            assertTrue(
                    t.scheduling().realTime(), "the SOFT default is a real-time policy (as root): " + t.scheduling());
            long[] cpuAndWall = cpuAndWall(t, measureStart, measureStart + 500 * MS);
            long cpu = cpuAndWall[0];
            long wall = cpuAndWall[1];
            t.join(5_000);
            assertNull(worker.failure());
            assertTrue(cpu < wall * 4 / 10, "the SOFT loop used " + cpu / MS + " ms of CPU in " + wall / MS + " ms");
            assertTrue(worker.completed(0) >= 1_500, "about 1,800 measured iterations: " + worker.completed(0));
        }
    }

    @Test
    void theBacklogOfALongWaitStaysWithTheSubjectThatMadeIt() throws InterruptedException {
        // two subjects in 50 ms slices, a 1 kHz SOFT acquirer; subject 0's only permit is held by the test until 60 ms
        // after its first slice ended, so the thread waits on subject 0 into subject 1's whole next slice
        ThreadSpec spec = new ThreadSpec("carry", RtContext.SOFT, RtThread.NO_PIN, Role.ACQUIRER, MS, 1, 0, true, 0);
        try (RtsemUnderTest first = binarySemaphore();
                RtsemUnderTest second = binarySemaphore()) {
            assertTrue(first.semaphore().tryAcquire(1));
            PhaseRecorders warm = new PhaseRecorders();
            PhaseRecorders[] measured = {new PhaseRecorders(), new PhaseRecorders()};
            RtsemUnderTest[] subjects = {first, second};
            ScenarioWorker.Lane[] lanes = new ScenarioWorker.Lane[2];
            for (int i = 0; i < 2; i++) {
                lanes[i] = lane(subjects[i].gateFor(spec), new ReleaseStamp(), new AtomicLong(), measured[i]);
            }
            long measureStart = System.nanoTime() + 50 * MS;
            Slices slices = Slices.interleaved(measureStart, 200 * MS, 50 * MS);
            assertEquals(0, slices.subjectAt(measureStart), "the first slice is subject 0's");
            long firstEnd = slices.sliceEnd(measureStart);
            long secondEnd = slices.sliceEnd(firstEnd);
            ScenarioWorker worker =
                    new ScenarioWorker(spec, new PhaseSchedule(slices, measureStart, measureStart, null), lanes, warm);
            RtThread t = RtThread.start(spec.name(), spec.context(), spec.cpu(), worker);
            long releaseAt = secondEnd + 10 * MS; // after subject 1's whole second slice
            sleepUntil(releaseAt);
            first.semaphore().release(1);
            t.join(10_000);
            assertTrue(!t.isAlive());
            assertNull(worker.failure());
            long carried = (secondEnd - firstEnd) / MS; // subject 1's iterations intended while the thread waited
            // subject 0 completed its own 200 plus the ones intended while it held the thread up; subject 1 the rest
            assertEquals(400, worker.completed(0) + worker.completed(1));
            assertTrue(
                    worker.completed(0) >= 200 + carried - 2 && worker.completed(1) <= 200 - carried + 2,
                    "the " + carried + " iterations intended in subject 1's slice while the thread waited on subject 0"
                            + " ran on subject 0: completed " + worker.completed(0) + " / " + worker.completed(1));
            long longest = measured[0]
                    .sample(PhaseRecorders.slot(RtContext.SOFT, Metric.WAIT))
                    .getMaxValue();
            assertTrue(longest >= releaseAt - measureStart - MS, "subject 0's first wait lasted until the release");
        }
    }

    @Test
    void aReleaserFollowsItsConsumersBacklogAcrossASliceBoundary() throws InterruptedException {
        // permits 0 of 4; a consumer (releases: none) scheduled at 2 kHz gets permits from a releaser at 1 kHz only, so
        // it falls ever further behind its schedule and is still on the first subject's iterations when the releaser's
        // ticks are in the second subject's slice. A releaser that went by its own ticks' slices would wait there for
        // permits nobody consumes, while the consumer waits for it on the first subject: neither would ever go on.
        ThreadSpec consumer =
                new ThreadSpec("consumer", RtContext.HARD, RtThread.NO_PIN, Role.ACQUIRER, 500_000L, 1, 0, false, 0);
        ThreadSpec releaser =
                new ThreadSpec("acks", RtContext.NON_RT, RtThread.NO_PIN, Role.RELEASER, MS, 1, 0, false, 0);
        SemaphoreSpec sem = new SemaphoreSpec(
                0,
                4,
                false,
                Map.of(),
                SemaphoreSpec.DEFAULT_MAX_BYPASS_NANOS,
                SemaphoreSpec.DEFAULT_PARK_FALLBACK_NANOS);
        try (RtsemUnderTest first = new RtsemUnderTest(sem, false);
                RtsemUnderTest second = new RtsemUnderTest(sem, false)) {
            RtsemUnderTest[] subjects = {first, second};
            AtomicLong[] outstanding = {new AtomicLong(4), new AtomicLong(4)}; // max-permits - permits, as the harness
            ReleaseStamp[] stamps = {new ReleaseStamp(), new ReleaseStamp()};
            PhaseRecorders warm = new PhaseRecorders();
            PhaseRecorders[] measured = {new PhaseRecorders(), new PhaseRecorders()};
            long measureStart = System.nanoTime() + 50 * MS;
            Slices slices = Slices.interleaved(measureStart, 100 * MS, 25 * MS);
            PhaseSchedule schedule = new PhaseSchedule(slices, measureStart, measureStart, null);
            ScenarioWorker[] workers = new ScenarioWorker[2];
            ThreadSpec[] specs = {consumer, releaser};
            for (int w = 0; w < 2; w++) {
                ScenarioWorker.Lane[] lanes = new ScenarioWorker.Lane[2];
                for (int i = 0; i < 2; i++) {
                    lanes[i] = lane(subjects[i].gateFor(specs[w]), stamps[i], outstanding[i], measured[i]);
                }
                workers[w] = new ScenarioWorker(specs[w], schedule, lanes, warm);
            }
            workers[1].consumers(java.util.List.of(workers[0]));
            RtThread c = RtThread.start("consumer", RtContext.HARD, RtThread.NO_PIN, workers[0]);
            RtThread r = RtThread.start("acks", RtContext.NON_RT, RtThread.NO_PIN, workers[1]);
            // the releaser ends at the stop (its ticks are on time); the consumer, behind, then waits for permits
            // nobody will release: the harness stops it with an interrupt, as here
            r.join(10_000);
            assertTrue(!r.isAlive(), "the releaser ended at the stop");
            workers[0].stop(System.nanoTime());
            c.interrupt();
            c.join(10_000);
            assertTrue(!c.isAlive());
            assertNull(workers[0].failure());
            assertNull(workers[1].failure());
            // 8 permits outstanding at the start and 200 ticks of one: about 208 iterations; stuck at the first slice
            // boundary it would have done about 30
            long done = workers[0].completed(0) + workers[0].completed(1);
            assertTrue(
                    done >= 150 && workers[0].completed(1) > 0,
                    "the consumer went on across the slices: " + workers[0].completed(0) + " + "
                            + workers[0].completed(1));
        }
    }

    /**
     * A real-time SOFT releaser that waits for its consumers sleeps until they can have consumed what it waits for, like
     * a gateway its socket wakes, and ends when they have: a 3 kHz releaser of 4 permits fed by a 1 kHz consumer waits
     * about 4 ms for each burst. Napping 20 us at a time (until late on 2026-12-02) it used several times the bound,
     * 10 % of the wall time, for that (docs/LATENCY.md has the figure). And after the consumer's last iteration it ended
     * at once, not a second later (OVERRUN_NANOS) as it did when it waited for permits nobody would consume.
     */
    @Test
    void aRealTimeReleaserSleepsUntilItsConsumersCanHaveConsumedAndEndsWithThem() throws InterruptedException {
        ThreadSpec consumer =
                new ThreadSpec("consumer", RtContext.NON_RT, RtThread.NO_PIN, Role.ACQUIRER, MS, 1, 0, false, 0);
        ThreadSpec releaser =
                new ThreadSpec("acks", RtContext.SOFT, RtThread.NO_PIN, Role.RELEASER, 333_333L, 4, 0, false, 0);
        try (RtsemUnderTest subject = new RtsemUnderTest(eightPermits(), false)) {
            long start = System.nanoTime() + 20 * MS;
            long measureStart = start + 100 * MS;
            long stop = measureStart + 600 * MS;
            ScenarioWorker[] workers =
                    consumerAndReleaser(subject, consumer, releaser, PhaseSchedule.single(start, measureStart, stop));
            RtThread c = RtThread.start("consumer", RtContext.NON_RT, RtThread.NO_PIN, workers[0]);
            RtThread r = RtThread.start("acks", RtContext.SOFT, RtThread.NO_PIN, workers[1]);
            assertTrue(
                    r.scheduling().realTime(), "the SOFT default is a real-time policy (as root): " + r.scheduling());
            long[] cpuAndWall = cpuAndWall(r, measureStart, measureStart + 500 * MS);
            long cpu = cpuAndWall[0];
            long wall = cpuAndWall[1];
            c.join(10_000);
            assertTrue(!c.isAlive(), "the consumer ended at its stop");
            long consumerEnded = System.nanoTime();
            r.join(10_000);
            long releaserLag = System.nanoTime() - consumerEnded;
            assertTrue(!r.isAlive());
            assertNull(workers[0].failure());
            assertNull(workers[1].failure());
            assertTrue(
                    cpu < wall / 10,
                    "the releaser used " + cpu / MS + " ms of CPU in " + wall / MS + " ms while it waited for acks");
            assertTrue(
                    releaserLag < ScenarioWorker.OVERRUN_NANOS / 2,
                    "the releaser ended " + releaserLag / MS + " ms after its only consumer");
            // the consumer never ran dry: 8 permits, 4 back per 4 consumed
            assertTrue(workers[0].completed(0) >= 550, "about 600 measured iterations: " + workers[0].completed(0));
        }
    }

    /**
     * A real-time releaser logs the timed sleeps it woke from late, the evidence the report needs to name its CPU's
     * stalls (PlatformLimits): a FIFO 90 thread spins 5 ms on the releaser's CPU, so the FIFO 40 releaser, due to wake
     * every 2 ms (a consumer at 250 Hz never runs dry), wakes at least 3 ms late once.
     */
    @Test
    void aRealTimeReleaserKeptOffItsCpuLogsItsLateWakeUp() throws InterruptedException {
        ThreadSpec releaser = new ThreadSpec("acks", RtContext.SOFT, 0, Role.RELEASER, 2 * MS, 1, 0, false, 0);
        ThreadSpec consumer =
                new ThreadSpec("consumer", RtContext.NON_RT, RtThread.NO_PIN, Role.ACQUIRER, 4 * MS, 1, 0, false, 0);
        try (RtsemUnderTest subject = new RtsemUnderTest(eightPermits(), false)) {
            long start = System.nanoTime() + 20 * MS;
            long measureStart = start + 50 * MS;
            long stop = measureStart + 200 * MS;
            ScenarioWorker[] workers =
                    consumerAndReleaser(subject, consumer, releaser, PhaseSchedule.single(start, measureStart, stop));
            RtThread c = RtThread.start("consumer", RtContext.NON_RT, RtThread.NO_PIN, workers[0]);
            RtThread r = RtThread.start("acks", RtContext.SOFT, 0, workers[1]);
            assertTrue(r.scheduling().realTime(), "the SOFT default is a real-time policy (as root)");
            sleepUntil(measureStart + 100 * MS);
            long[] hogged = new long[2];
            // unpinned for RtThread (which allows one pinned thread per CPU), then moved to CPU 0 by hand
            RtThread hog = RtThread.start(
                    "hog", RtContext.SOFT, RtThread.NO_PIN, io.rtsem.core.RtScheduling.parse("fifo:90"), () -> {
                        net.openhft.affinity.Affinity.setAffinity(0);
                        hogged[0] = System.nanoTime();
                        spinFor(5 * MS);
                        hogged[1] = System.nanoTime();
                    });
            hog.join(10_000);
            c.join(10_000);
            r.join(10_000);
            assertNull(workers[0].failure());
            assertNull(workers[1].failure());
            SpanLog late = workers[1].lateWakes();
            boolean seen = false;
            for (int i = 0; i < late.size(); i++) {
                seen |= late.start(i) < hogged[1]
                        && late.end(i) > hogged[0]
                        && late.end(i) - late.start(i) >= ScenarioWorker.LATE_WAKE_NANOS;
            }
            assertTrue(seen, late.size() + " late wake-up(s) logged, none while the FIFO 90 thread held CPU 0");
            assertEquals(0, workers[0].lateWakes().size(), "a NON_RT thread logs none");
        }
    }

    private static void spinFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aReleasersNapLastsUntilItsConsumersCanHaveConsumedWhatItWaitsFor() {
        assertEquals(300_000L, ScenarioWorker.ackNapNanos(3, 100_000L), "3 permits at one per 100 us");
        assertEquals(ScenarioWorker.MIN_ACK_NAP_NANOS, ScenarioWorker.ackNapNanos(1, 0), "consumers back to back");
        assertEquals(ScenarioWorker.MIN_ACK_NAP_NANOS, ScenarioWorker.ackNapNanos(1, 5_000L), "at least the minimum");
        assertEquals(ScenarioWorker.MAX_ACK_NAP_NANOS, ScenarioWorker.ackNapNanos(4, MS), "at most the maximum");
        assertEquals(
                ScenarioWorker.MAX_ACK_NAP_NANOS,
                ScenarioWorker.ackNapNanos(Integer.MAX_VALUE, Long.MAX_VALUE / 2),
                "no overflow");
    }

    @Test
    void theAnchorOfAReleaserTickIsTheEarliestPendingConsumerIterationIfEarlier() {
        assertEquals(100, ScenarioWorker.anchor(100, 40 + 60), "a consumer on time");
        assertEquals(40, ScenarioWorker.anchor(100, 40), "a consumer behind");
        assertEquals(100, ScenarioWorker.anchor(100, Long.MIN_VALUE), "a consumer not started");
        assertEquals(100, ScenarioWorker.anchor(100, Long.MAX_VALUE), "consumers ended, or none");
    }

    @Test
    void aHogRunsBusyEachPeriodAndNeverTouchesTheSemaphore() throws InterruptedException {
        // 100 Hz, 2 ms busy; the only permit is taken first, so a hog that tried to acquire would block forever
        ThreadSpec spec =
                new ThreadSpec("hog", RtContext.NON_RT, RtThread.NO_PIN, Role.HOG, 10 * MS, 1, 2 * MS, false, 0);
        try (RtsemUnderTest subject = binarySemaphore()) {
            assertTrue(subject.semaphore().tryAcquire(1));
            PhaseRecorders warm = new PhaseRecorders();
            PhaseRecorders measured = new PhaseRecorders();
            long start = System.nanoTime() + 20 * MS;
            long measureStart = start + 50 * MS;
            long stop = measureStart + 300 * MS;
            ScenarioWorker worker =
                    singleLane(spec, subject, PhaseSchedule.single(start, measureStart, stop), measured, warm, 1);
            RtThread t = RtThread.start(spec.name(), spec.context(), spec.cpu(), worker);
            t.join(10_000);
            assertTrue(!t.isAlive(), "the hog ended by itself at its stop time");
            assertNull(worker.failure());
            long bursts = worker.completed(0);
            assertTrue(bursts >= 1 && bursts <= 30, "at most one burst per 10 ms period measured: " + bursts);
            // it spun its busy time in each burst (a loose bound: a busy CI machine may preempt the spin)
            assertTrue(
                    worker.cpuNanosAtEnd() >= worker.iterations() * 2 * MS / 4,
                    worker.iterations() + " bursts of 2 ms used " + worker.cpuNanosAtEnd() / 1e6 + " ms of CPU");
            for (RtContext c : RtContext.values()) {
                assertEquals(
                        0,
                        measured.sample(PhaseRecorders.slot(c, Metric.WAIT)).getTotalCount(),
                        "a hog records no wait");
            }
            assertEquals(0, subject.semaphore().availablePermits(), "the permit taken first is still out");
            assertEquals(0, worker.overBudget().count());
        }
    }

    /**
     * @return the CPU time {@code t} used from {@code from} to {@code to} ({@code nanoTime}), and the wall time that
     *     took; the caller sleeps until {@code to}
     */
    private static long[] cpuAndWall(Thread t, long from, long to) throws InterruptedException {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        sleepUntil(from);
        long cpuBefore = threads.getThreadCpuTime(t.getId());
        long wallBefore = System.nanoTime();
        sleepUntil(to);
        return new long[] {threads.getThreadCpuTime(t.getId()) - cpuBefore, System.nanoTime() - wallBefore};
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, left / MS));
        }
    }
}
