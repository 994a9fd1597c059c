package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.latency.run.InversionEpisodes.Episode;
import io.rtsem.latency.run.InversionEpisodes.Result;
import io.rtsem.latency.run.InversionEpisodes.Span;
import io.rtsem.latency.run.ThreadSchedMonitor.SchedChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The episode classifier on synthetic spans and scheduler windows: each of its three conditions can fail it. */
class InversionEpisodesTest {
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;
    private static final List<RtContext> RT = List.of(RtContext.HARD, RtContext.SOFT, RtContext.NON_RT);

    /** A HARD wait of 2 ms from t = 10 ms. */
    private static final Span HARD_WAIT = new Span("hard-loop", RtContext.HARD, 0, 10 * MS, 12 * MS);
    /** A bookkeeper hold planned at 50 us that lasted 2.1 ms around it. */
    private static final Span BOOK_HOLD = new Span("bookkeeper", RtContext.NON_RT, 50 * US, 10 * MS - 50 * US, 12 * MS);

    private static SchedChange window(String thread, long from, long to, long involuntary, long runDelay) {
        return new SchedChange(thread, from, to, 0, involuntary, runDelay);
    }

    private static Result classify(List<Span> waits, List<Span> holds, List<SchedChange> sched) {
        return InversionEpisodes.classify(RT, waits, holds, sched, 0, 0);
    }

    @Test
    void aLongWaitBehindAPreemptedLowerHolderIsOneEpisode() {
        Result r = classify(
                List.of(HARD_WAIT), List.of(BOOK_HOLD), List.of(window("bookkeeper", 9 * MS, 14 * MS, 1, 1_800 * US)));
        assertEquals(Map.of(RtContext.HARD, 1L, RtContext.SOFT, 0L), r.episodes());
        assertEquals(1, r.total());
        assertEquals(1, r.longWaits());
        Episode e = r.list().get(0);
        assertEquals("bookkeeper", e.holder());
        assertEquals(RtContext.NON_RT, e.holderContext());
        assertEquals(1_800 * US, e.holderRunDelayNanos());
        assertTrue(e.describe().contains("bookkeeper (NON_RT)") && e.describe().contains("1800.0 us"), e.describe());
    }

    @Test
    void aHolderThatWasRunningIsNoEpisode() {
        Result r = classify(
                List.of(HARD_WAIT), List.of(BOOK_HOLD), List.of(window("bookkeeper", 9 * MS, 14 * MS, 0, 10 * US)));
        assertEquals(0, r.total(), "run_delay under the threshold: the holder ran (a JVM stop, not the scheduler)");
        assertEquals(1, r.longWaits());
        Result other = classify(
                List.of(HARD_WAIT), List.of(BOOK_HOLD), List.of(window("soft-loop", 9 * MS, 14 * MS, 3, 2 * MS)));
        assertEquals(0, other.total(), "another thread's run_delay says nothing about the holder");
    }

    @Test
    void aHolderOfTheSameOrAHigherContextIsNoInversion() {
        Span softWait = new Span("soft-loop", RtContext.SOFT, 0, 10 * MS, 12 * MS);
        Span hardHold = new Span("hard-2", RtContext.HARD, 2 * US, 10 * MS, 12 * MS);
        Span softHold = new Span("soft-2", RtContext.SOFT, 2 * US, 10 * MS, 12 * MS);
        List<SchedChange> off =
                List.of(window("hard-2", 9 * MS, 14 * MS, 1, 2 * MS), window("soft-2", 9 * MS, 14 * MS, 1, 2 * MS));
        assertEquals(
                0, classify(List.of(softWait), List.of(hardHold, softHold), off).total());
        Result r = classify(List.of(HARD_WAIT), List.of(softHold), off);
        assertEquals(Map.of(RtContext.HARD, 1L, RtContext.SOFT, 0L), r.episodes(), "SOFT is below HARD");
    }

    @Test
    void aWaitShorterThanTwoPlannedHoldsAndTheFloorIsNoEpisode() {
        Span longPlanned = new Span("bookkeeper", RtContext.NON_RT, 1 * MS, 9 * MS, 12 * MS);
        List<SchedChange> off = List.of(window("bookkeeper", 9 * MS, 14 * MS, 1, 2 * MS));
        assertEquals(0, classify(List.of(HARD_WAIT), List.of(longPlanned), off).total(), "2 ms < 2 x 1 ms + 100 us");
        Span shortWait = new Span("hard-loop", RtContext.HARD, 0, 10 * MS, 10 * MS + 90 * US);
        Result r = classify(List.of(shortWait), List.of(BOOK_HOLD), off);
        assertEquals(0, r.total(), "90 us is under the 100 us floor");
        assertEquals(0, r.longWaits(), "and is not examined");
    }

    @Test
    void holdsThatDoNotOverlapTheWaitAreNotItsCause() {
        Span before = new Span("bookkeeper", RtContext.NON_RT, 50 * US, 5 * MS, 9 * MS);
        List<SchedChange> off = List.of(window("bookkeeper", 4 * MS, 14 * MS, 1, 2 * MS));
        assertEquals(0, classify(List.of(HARD_WAIT), List.of(before), off).total());
    }

    @Test
    void withoutSchedstatAnInvoluntarySwitchOfTheHolderSaysItWasNotRunning() {
        List<SchedChange> switched = List.of(window("bookkeeper", 9 * MS, 14 * MS, 2, SchedChange.UNKNOWN));
        Result r = classify(List.of(HARD_WAIT), List.of(BOOK_HOLD), switched);
        assertEquals(1, r.total());
        assertTrue(
                r.list().get(0).describe().contains("2 involuntary"),
                r.list().get(0).describe());
        List<SchedChange> none = List.of(window("bookkeeper", 9 * MS, 14 * MS, 0, SchedChange.UNKNOWN));
        assertEquals(0, classify(List.of(HARD_WAIT), List.of(BOOK_HOLD), none).total());
    }

    @Test
    void nonRealTimeWaitersAreNotCountedAndContextsWithoutWaitersAreNoKeys() {
        Span nonRtWait = new Span("other-book", RtContext.NON_RT, 0, 10 * MS, 12 * MS);
        Result r = InversionEpisodes.classify(
                List.of(RtContext.HARD, RtContext.NON_RT),
                List.of(nonRtWait),
                List.of(BOOK_HOLD),
                List.of(window("bookkeeper", 9 * MS, 14 * MS, 1, 2 * MS)),
                3,
                4);
        assertEquals(Map.of(RtContext.HARD, 0L), r.episodes());
        assertEquals(0, r.longWaits());
        assertEquals(3, r.longWaitsLost());
        assertEquals(4, r.longHoldsLost());
        Result boosted = r.withBoosts(new long[] {7, 1});
        assertEquals(7L, boosted.priorityBoosts());
        assertEquals(1L, boosted.priorityBoostsRefused());
        assertEquals(null, r.withBoosts(null).priorityBoosts());
    }

    @Test
    void badSpansAreRejectedNamingTheValues() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Span("t", RtContext.HARD, 0, 20, 10));
        assertTrue(e.getMessage().contains("(10)") && e.getMessage().contains("(20)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Span("t", RtContext.HARD, -5, 0, 10));
        assertTrue(e.getMessage().contains("-5"), e.getMessage());
        assertThrows(
                NullPointerException.class, () -> InversionEpisodes.classify(RT, null, List.of(), List.of(), 0, 0));
    }

    @Test
    void spanLogKeepsTheFirstSpansAndCountsTheRest() {
        SpanLog log = new SpanLog(2);
        log.put(1, 2, 0); // written, not kept
        log.put(3, 4, 1);
        log.put(5, 6, 0);
        log.put(7, 8, 1);
        log.put(9, 10, 1); // full: counted as lost, the kept ones untouched
        log.put(11, 12, 0);
        assertEquals(2, log.size());
        assertEquals(1, log.lost());
        assertEquals(3, log.start(0));
        assertEquals(4, log.end(0));
        assertEquals(7, log.start(1));
        assertEquals(8, log.end(1));
        SpanLog none = new SpanLog(0);
        none.put(1, 2, 0);
        assertEquals(0, none.size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SpanLog(-3));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
    }

    @Test
    void runDelayIsTheSecondFieldOfSchedstat() throws Exception {
        assertEquals(8_664_799L, ThreadSchedMonitor.parseRunDelay("7450512 8664799 24\n"));
        assertEquals(-1, ThreadSchedMonitor.parseRunDelay("7450512"));
        assertEquals(-1, ThreadSchedMonitor.parseRunDelay("a b c"));
    }
}
