package io.rtsem.latency.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.run.JvmEventLog;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.SubjectResult.LateWake;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Which missed budgets the report blames on the platform, on synthetic evidence shaped like trading-burst: a HARD
 * strategy pinned to CPU 1 consuming slots (releases: none) that a SOFT acks thread, unpinned, gives back, beside a
 * NON_RT risk thread.
 */
class PlatformLimitsTest {
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;

    private static final ThreadSpec STRATEGY =
            new ThreadSpec("strategy", RtContext.HARD, 1, Role.ACQUIRER, 100 * US, 1, US, false, 0);
    private static final ThreadSpec ACKS =
            new ThreadSpec("acks", RtContext.SOFT, RtThread.NO_PIN, Role.RELEASER, 333 * US, 4, 0, false, 0);
    private static final ThreadSpec RISK =
            new ThreadSpec("risk", RtContext.NON_RT, RtThread.NO_PIN, Role.BOOKKEEPER, 20 * MS, 2, 100 * US, true, 0);

    private static final RunReport.Miss HARD_P999 = new RunReport.Miss("HARD", "p99.9", 1_000.0, 1_700.0);

    /** Three HARD episodes over 1 ms (at 10, 20 and 30 ms), one under it. */
    private static Map<String, List<WaitSample>> episodes() {
        return Map.of(
                "strategy",
                List.of(
                        new WaitSample("strategy", "HARD", 2_500 * US, 2_500 * US, 10 * MS, 12_500 * US),
                        new WaitSample("strategy", "HARD", 1_800 * US, 1_800 * US, 20 * MS, 21_800 * US),
                        new WaitSample("strategy", "HARD", 1_200 * US, 1_200 * US, 30 * MS, 31_200 * US),
                        new WaitSample("strategy", "HARD", 400 * US, 400 * US, 40 * MS, 40_400 * US)));
    }

    /** The acks thread woke 2.1 ms late just before the first episode and 1.5 ms late inside the second. */
    private static List<LateWake> lateWakes() {
        return List.of(
                new LateWake("acks", 9_800 * US, 11_900 * US),
                new LateWake("acks", 20_100 * US, 21_600 * US),
                new LateWake("acks", 50 * MS, 50_300 * US)); // overlaps no episode
    }

    private static Map<String, String> policies(String acks, String risk) {
        Map<String, String> m = new HashMap<>();
        m.put("strategy", "FIFO 60");
        m.put("acks", acks);
        m.put("risk", risk);
        return m;
    }

    private static PlatformLimits.Evidence evidence(
            List<ThreadSpec> threads,
            Map<String, String> policies,
            RtScheduling wake,
            Long boosts,
            Map<RtContext, Histogram> floors) {
        return new PlatformLimits.Evidence(threads, policies, wake, boosts, floors, episodes(), lateWakes(), List.of());
    }

    /** trading-burst's evidence with these JVM events. */
    private static List<PlatformLimits.Limit> withJvmEvents(List<JvmEvent> events) {
        return limits(new PlatformLimits.Evidence(
                List.of(STRATEGY, ACKS, RISK),
                policies("FIFO 40", "OTHER 0"),
                null,
                0L,
                Map.of(),
                episodes(),
                lateWakes(),
                events));
    }

    private static List<PlatformLimits.Limit> limits(PlatformLimits.Evidence e) {
        return PlatformLimits.of(List.of(HARD_P999), e);
    }

    @Test
    void aReleaserWokenLateAtTheTopPriorityOfItsCpuIsNamedWithTheEpisodesItOverlaps() {
        List<PlatformLimits.Limit> l =
                limits(evidence(List.of(STRATEGY, ACKS, RISK), policies("FIFO 40", "OTHER 0"), null, 0L, Map.of()));
        assertEquals(1, l.size(), l.toString());
        assertEquals("HARD", l.get(0).context());
        assertEquals("p99.9", l.get(0).percentile());
        String r = l.get(0).reason();
        assertTrue(
                r.startsWith("2 of the 3 wait episodes over 1,000 us of strategy overlap a late wake-up of acks"), r);
        assertTrue(r.contains("acks (FIFO 40)"), r);
        assertTrue(r.contains("up to 2,100 us late"), r);
    }

    @Test
    void noReleaserLimitWhereSomethingElseCouldHaveRunAboveIt() {
        // at SCHED_OTHER its lateness may be any thread's
        assertTrue(limits(evidence(List.of(STRATEGY, ACKS, RISK), policies("OTHER 0", "OTHER 0"), null, 0L, Map.of()))
                .isEmpty());
        // an unpinned thread at or above its priority shares its CPU
        assertTrue(limits(evidence(List.of(STRATEGY, ACKS, RISK), policies("FIFO 40", "FIFO 40"), null, 0L, Map.of()))
                .isEmpty());
        // rtsem's wake service above it, on the housekeeping CPUs it runs on
        assertTrue(limits(evidence(
                        List.of(STRATEGY, ACKS, RISK),
                        policies("FIFO 40", "OTHER 0"),
                        RtScheduling.parse("fifo:45/prefer"),
                        0L,
                        Map.of()))
                .isEmpty());
        // a holder rtsem boosted may have run above it
        assertTrue(limits(evidence(List.of(STRATEGY, ACKS, RISK), policies("FIFO 40", "OTHER 0"), null, 3L, Map.of()))
                .isEmpty());
        // but the pinned HARD thread at FIFO 60 never runs on its CPUs, and a wake service below it does not count
        assertEquals(
                1,
                limits(evidence(
                                List.of(STRATEGY, ACKS, RISK),
                                policies("FIFO 40", "OTHER 0"),
                                RtScheduling.parse("fifo:30/prefer"),
                                null,
                                Map.of()))
                        .size());
    }

    @Test
    void aLateWakeUpDuringAJvmStopIsTheJvmsNotThePlatforms() {
        List<JvmEvent> stops = List.of(
                new JvmEvent(JvmEventLog.Kind.SAFEPOINT, 9_900 * US, 11_800 * US, "safepoint"),
                new JvmEvent(JvmEventLog.Kind.DEOPTIMIZATION, 20_200 * US, 20_200 * US, "deopt", "acks"));
        List<PlatformLimits.Limit> l = withJvmEvents(stops);
        assertTrue(l.isEmpty(), l.toString());
        // another thread's deoptimization stops only that thread: the second late wake still counts
        List<PlatformLimits.Limit> other = withJvmEvents(List.of(
                stops.get(0),
                new JvmEvent(JvmEventLog.Kind.DEOPTIMIZATION, 20_200 * US, 20_200 * US, "deopt", "risk")));
        assertEquals(1, other.size());
        assertTrue(other.get(0).reason().startsWith("1 of the 3"), other.get(0).reason());
    }

    @Test
    void noReleaserLimitForAnAcquirerThatGivesItsOwnPermitsBack() {
        ThreadSpec selfReleasing =
                new ThreadSpec("strategy", RtContext.HARD, 1, Role.ACQUIRER, 100 * US, 1, US, true, 0);
        assertTrue(
                limits(evidence(List.of(selfReleasing, ACKS, RISK), policies("FIFO 40", "OTHER 0"), null, 0L, Map.of()))
                        .isEmpty());
    }

    @Test
    void theHardThreadsOwnCpuIsNamedWhenItsHiccupFloorReachesTheBudget() {
        Histogram floor = new Histogram(60_000_000_000L, 3);
        floor.recordValueWithCount(10 * US, 99_000);
        floor.recordValueWithCount(1_500 * US, 1_000); // p99.9 and above: 1.5 ms
        List<ThreadSpec> noReleaser =
                List.of(new ThreadSpec("strategy", RtContext.HARD, 1, Role.ACQUIRER, 100 * US, 1, US, true, 0), RISK);
        List<PlatformLimits.Limit> l =
                limits(evidence(noReleaser, policies("FIFO 40", "OTHER 0"), null, 0L, Map.of(RtContext.HARD, floor)));
        assertEquals(1, l.size(), l.toString());
        assertTrue(
                l.get(0).reason().contains("own CPU was gone that long"),
                l.get(0).reason());
        assertTrue(l.get(0).reason().contains("is 1,499 us at p99.9"), l.get(0).reason());
        // a floor below the budget is no limit
        Histogram quiet = new Histogram(60_000_000_000L, 3);
        quiet.recordValueWithCount(10 * US, 100_000);
        assertTrue(limits(evidence(noReleaser, policies("FIFO 40", "OTHER 0"), null, 0L, Map.of(RtContext.HARD, quiet)))
                .isEmpty());
        // both limits, both named
        List<PlatformLimits.Limit> both = limits(evidence(
                List.of(STRATEGY, ACKS, RISK),
                policies("FIFO 40", "OTHER 0"),
                null,
                0L,
                Map.of(RtContext.HARD, floor)));
        assertEquals(1, both.size());
        assertTrue(
                both.get(0).reason().contains("own CPU") && both.get(0).reason().contains("late wake-up"));
    }

    @Test
    void aSoftThreadWokenLateAtTheTopPriorityOfItsCpuIsItsOwnEvidence() {
        // control-loop-1khz's shape: a SOFT logger (FIFO 40, unpinned) whose iteration started 29 ms late
        ThreadSpec logger =
                new ThreadSpec("logger", RtContext.SOFT, RtThread.NO_PIN, Role.ACQUIRER, 10 * MS, 1, 20 * US, true, 0);
        ThreadSpec control = new ThreadSpec("control", RtContext.HARD, 1, Role.ACQUIRER, MS, 1, 100 * US, true, 0);
        RunReport.Miss softMax = new RunReport.Miss("SOFT", "max", 20_000.0, 29_700.0);
        Map<String, List<WaitSample>> eps =
                Map.of("logger", List.of(new WaitSample("logger", "SOFT", 29_700 * US, 20 * US, 50 * MS, 79_700 * US)));
        List<LateWake> own = List.of(new LateWake("logger", 49_850 * US, 79_600 * US));
        Map<String, String> pol = new HashMap<>(Map.of("logger", "FIFO 40", "control", "OTHER 0", "risk", "OTHER 0"));
        List<PlatformLimits.Limit> l = PlatformLimits.of(
                List.of(softMax),
                new PlatformLimits.Evidence(
                        List.of(control, logger, RISK), pol, null, 0L, Map.of(), eps, own, List.of()));
        assertEquals(1, l.size(), l.toString());
        assertTrue(
                l.get(0)
                        .reason()
                        .startsWith("1 of the 1 wait episodes over 20,000 us of logger overlap a late "
                                + "wake-up of logger (FIFO 40)"),
                l.get(0).reason());
        // a bookkeeper at the same FIFO priority on the same CPUs could have run instead
        pol.put("risk", "FIFO 40");
        assertTrue(PlatformLimits.of(
                        List.of(softMax),
                        new PlatformLimits.Evidence(
                                List.of(control, logger, RISK), pol, null, 0L, Map.of(), eps, own, List.of()))
                .isEmpty());
    }

    @Test
    void aMissWithoutMeasurementsHasNoLimit() {
        List<RunReport.Miss> misses = new ArrayList<>();
        misses.add(new RunReport.Miss("HARD", RunReport.Miss.NO_MEASUREMENTS, null, null));
        assertTrue(PlatformLimits.of(
                        misses,
                        evidence(List.of(STRATEGY, ACKS, RISK), policies("FIFO 40", "OTHER 0"), null, 0L, Map.of()))
                .isEmpty());
    }

    @Test
    void threadsShareACpuAsTheHarnessConfinesThem() {
        assertFalse(PlatformLimits.sharesCpu(STRATEGY, ACKS), "a pinned HARD thread's CPU is kept clear");
        assertTrue(PlatformLimits.sharesCpu(ACKS, RISK), "unpinned threads share the housekeeping CPUs");
        ThreadSpec pinnedNonRt = new ThreadSpec("log", RtContext.NON_RT, 0, Role.BOOKKEEPER, 20 * MS, 1, US, true, 0);
        assertTrue(PlatformLimits.sharesCpu(ACKS, pinnedNonRt), "a pinned NON_RT thread's CPU is not kept clear");
        ThreadSpec otherHard = new ThreadSpec("other", RtContext.HARD, 0, Role.ACQUIRER, 100 * US, 1, US, true, 0);
        assertFalse(PlatformLimits.sharesCpu(STRATEGY, otherHard));
        assertEquals(40, PlatformLimits.realTimePriority("FIFO 40"));
        assertEquals(7, PlatformLimits.realTimePriority("RR 7"));
        assertEquals(0, PlatformLimits.realTimePriority("OTHER 0"));
        assertEquals(0, PlatformLimits.realTimePriority(null));
    }
}
