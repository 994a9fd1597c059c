package io.rtsem.latency.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.report.Attribution.Cause;
import io.rtsem.latency.run.InversionEpisodes.Episode;
import io.rtsem.latency.run.JvmEventLog;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.SubjectResult.CpuGap;
import io.rtsem.latency.run.SubjectResult.LateWake;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A worst wait names the late wake-ups of real-time sleepers on the CPUs it depended on (cause {@code late-wake}) and
 * the gaps a HARD waiter saw on its own CPU before it (cause {@code cpu-gap}), on
 * synthetic evidence shaped like default.yaml (a HARD loop pinned to CPU 1, a SOFT loop and a NON_RT bookkeeper
 * unpinned, one permit) and trading-burst (a consuming HARD strategy fed by a SOFT releaser).
 */
class AttributionLateWakeTest {
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;

    private static final ThreadSpec HARD_LOOP =
            new ThreadSpec("hard-loop", RtContext.HARD, 1, Role.ACQUIRER, 100 * US, 1, 2 * US, true, 0);
    private static final ThreadSpec SOFT_LOOP =
            new ThreadSpec("soft-loop", RtContext.SOFT, RtThread.NO_PIN, Role.ACQUIRER, MS, 1, 5 * US, true, 0);
    private static final ThreadSpec BOOKKEEPER = new ThreadSpec(
            "bookkeeper", RtContext.NON_RT, RtThread.NO_PIN, Role.BOOKKEEPER, 10 * MS, 1, 50 * US, true, 0);
    /**
     * A SOFT thread pinned to CPU 0: the harness keeps the unpinned bookkeeper off that CPU, and the HARD loop runs on
     * CPU 1.
     */
    private static final ThreadSpec SOFT_ON_CPU0 =
            new ThreadSpec("soft-cpu0", RtContext.SOFT, 0, Role.ACQUIRER, MS, 1, 5 * US, true, 0);

    private static final ThreadSpec STRATEGY =
            new ThreadSpec("strategy", RtContext.HARD, 1, Role.ACQUIRER, 100 * US, 1, US, false, 0);
    private static final ThreadSpec ACKS =
            new ThreadSpec("acks", RtContext.SOFT, RtThread.NO_PIN, Role.RELEASER, 333 * US, 4, 0, false, 0);

    private static final Map<String, String> POLICIES = Map.of(
            "hard-loop", "FIFO 60",
            "soft-loop", "FIFO 40",
            "bookkeeper", "OTHER 0",
            "soft-cpu0", "FIFO 40",
            "strategy", "FIFO 60",
            "acks", "FIFO 40");

    /** The HARD loop's wait of 4 ms, from 10 ms, behind the bookkeeper. */
    private static final WaitSample HARD_WAIT = new WaitSample("hard-loop", "HARD", 4 * MS, 4 * MS, 10 * MS, 14 * MS);

    private static final Episode BEHIND_BOOKKEEPER = new Episode(
            "hard-loop",
            RtContext.HARD,
            "bookkeeper",
            RtContext.NON_RT,
            10 * MS,
            14 * MS,
            3_950 * US,
            50 * US,
            400 * US,
            1);

    private static List<Cause> lateWakes(
            WaitSample w, List<Episode> episodes, List<LateWake> late, List<ThreadSpec> threads, List<JvmEvent> ev) {
        return Attribution.lateWakes(w, episodes, late, threads, POLICIES, ev);
    }

    /** The causes for {@link #HARD_WAIT}, which lies behind the bookkeeper's hold. */
    private static List<Cause> behindBookkeeper(List<LateWake> late, List<ThreadSpec> threads, List<JvmEvent> events) {
        return lateWakes(HARD_WAIT, List.of(BEHIND_BOOKKEEPER), late, threads, events);
    }

    @Test
    void aSleeperOnTheHoldersCpuThatWokeLateDuringTheWaitIsNamed() {
        List<LateWake> late = List.of(
                new LateWake("soft-loop", 10_500 * US, 13_900 * US), // 3.4 ms late, inside the wait
                new LateWake("soft-loop", 11 * MS, 13_950 * US), // a second one inside it
                new LateWake("soft-loop", 30 * MS, 31 * MS)); // after the wait
        List<Cause> causes = behindBookkeeper(late, List.of(HARD_LOOP, SOFT_LOOP, BOOKKEEPER), List.of());
        assertEquals(1, causes.size(), causes.toString());
        Cause c = causes.get(0);
        assertEquals("late-wake", c.kind());
        assertTrue(c.detail().startsWith("soft-loop (FIFO 40; can run on the CPUs of bookkeeper"), c.detail());
        assertTrue(c.detail().contains("3400.0 us late") && c.detail().contains("(2 late wake-up(s)"), c.detail());
        assertTrue(
                Attribution.advice(causes, List.of(), List.of()).get(0).startsWith("late-wake:"),
                "the kind has its advice");
    }

    @Test
    void withoutAnEpisodeTheHoldersCpuIsUnknownAndNothingIsNamed() {
        List<LateWake> late = List.of(new LateWake("soft-loop", 10_500 * US, 13_900 * US));
        assertEquals(
                List.of(), lateWakes(HARD_WAIT, List.of(), late, List.of(HARD_LOOP, SOFT_LOOP, BOOKKEEPER), List.of()));
    }

    @Test
    void aSleeperThatCannotShareTheHoldersCpuIsNotNamed() {
        List<LateWake> late = List.of(new LateWake("soft-cpu0", 10_500 * US, 13_900 * US));
        assertEquals(List.of(), behindBookkeeper(late, List.of(HARD_LOOP, SOFT_ON_CPU0, BOOKKEEPER), List.of()));
    }

    @Test
    void aLateWakeThatAJvmStopOverlapsIsTheJvmsAndNotNamed() {
        List<LateWake> late = List.of(new LateWake("soft-loop", 10_500 * US, 13_900 * US));
        List<JvmEvent> safepoint = List.of(new JvmEvent(JvmEventLog.Kind.SAFEPOINT, 11 * MS, 13 * MS, "safepoint"));
        assertEquals(List.of(), behindBookkeeper(late, List.of(HARD_LOOP, SOFT_LOOP, BOOKKEEPER), safepoint));
    }

    @Test
    void aLateWakeOutsideTheWaitIsNotNamed() {
        List<LateWake> late = List.of(
                new LateWake("soft-loop", 8 * MS, 10 * MS), // woke as the wait began
                new LateWake("soft-loop", 14 * MS, 15 * MS)); // due as it ended
        assertEquals(List.of(), behindBookkeeper(late, List.of(HARD_LOOP, SOFT_LOOP, BOOKKEEPER), List.of()));
    }

    @Test
    void aSoftThreadsOwnLateWakeIsItsWaitsCause() {
        WaitSample softWait = new WaitSample("soft-loop", "SOFT", 3_500 * US, 500, 20 * MS, 23_500 * US);
        List<LateWake> late = List.of(new LateWake("soft-loop", 20 * MS, 23_500 * US));
        List<Cause> causes = lateWakes(softWait, List.of(), late, List.of(HARD_LOOP, SOFT_LOOP, BOOKKEEPER), List.of());
        assertEquals(1, causes.size(), causes.toString());
        assertTrue(
                causes.get(0).detail().startsWith("soft-loop (FIFO 40; the waiting thread itself)"), causes.toString());
    }

    @Test
    void aConsumingAcquirerNamesItsReleasersLateWakeAndOnlyIt() {
        WaitSample w = new WaitSample("strategy", "HARD", 2 * MS, 2 * MS, 40 * MS, 42 * MS);
        List<LateWake> late = List.of(new LateWake("acks", 39_900 * US, 41_900 * US));
        List<Cause> causes = lateWakes(w, List.of(), late, List.of(STRATEGY, ACKS), List.of());
        assertEquals(1, causes.size(), causes.toString());
        assertTrue(
                causes.get(0).detail().startsWith("acks (FIFO 40; a releaser its permits come from)"),
                causes.toString());
        // the HARD loop of default.yaml gives its permits back itself: a releaser's lateness is not its wait's
        WaitSample selfReleasing = new WaitSample("hard-loop", "HARD", 2 * MS, 2 * MS, 40 * MS, 42 * MS);
        assertEquals(List.of(), lateWakes(selfReleasing, List.of(), late, List.of(HARD_LOOP, ACKS), List.of()));
    }

    @Test
    void aHardThreadsOwnCpuGapBeforeItsIterationIsItsWaitsCause() {
        WaitSample late = new WaitSample("hard-loop", "HARD", 3_600 * US, 500, 50 * MS, 53_600 * US);
        List<CpuGap> gaps = List.of(
                new CpuGap("hard-loop", 49_990 * US, 53_590 * US), // the gap that made the iteration late
                new CpuGap("hard-loop", 60 * MS, 61 * MS), // after the wait
                new CpuGap("strategy", 50 * MS, 53 * MS)); // another thread's CPU
        List<Cause> causes = Attribution.cpuGaps(late, gaps, List.of());
        assertEquals(1, causes.size(), causes.toString());
        assertEquals("cpu-gap", causes.get(0).kind());
        assertTrue(
                causes.get(0).detail().startsWith("hard-loop's own CPU was gone for 3600.0 us")
                        && causes.get(0).detail().contains("(1 gap(s)"),
                causes.get(0).detail());
        assertTrue(Attribution.advice(causes, List.of(), List.of()).get(0).startsWith("cpu-gap:"));
        // a safepoint over the gap makes it the JVM's
        List<JvmEvent> safepoint = List.of(new JvmEvent(JvmEventLog.Kind.SAFEPOINT, 50 * MS, 51 * MS, "safepoint"));
        assertEquals(List.of(), Attribution.cpuGaps(late, gaps, safepoint));
    }

    @Test
    void aSleeperOnTheWaitersOwnCpuNamesTheStallOfAWaiterThatIsNotRealTime() {
        WaitSample bookkeeperWait = new WaitSample("bookkeeper", "NON_RT", 3_400 * US, 2 * US, 70 * MS, 73_400 * US);
        List<LateWake> late = List.of(new LateWake("soft-loop", 69_900 * US, 73_350 * US));
        List<Cause> causes =
                lateWakes(bookkeeperWait, List.of(), late, List.of(HARD_LOOP, SOFT_LOOP, BOOKKEEPER), List.of());
        assertEquals(1, causes.size(), causes.toString());
        assertTrue(
                causes.get(0).detail().startsWith("soft-loop (FIFO 40; can run on the CPUs of bookkeeper, the waiting"),
                causes.toString());
        // the pinned HARD loop shares no CPU with the unpinned SOFT loop: its lateness is no evidence for it
        WaitSample hardWait = new WaitSample("hard-loop", "HARD", 3_400 * US, 2 * US, 70 * MS, 73_400 * US);
        assertEquals(
                List.of(), lateWakes(hardWait, List.of(), late, List.of(HARD_LOOP, SOFT_LOOP, BOOKKEEPER), List.of()));
    }
}
