package io.rtsem.latency.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.run.HiccupFloor;
import io.rtsem.latency.run.Metric;
import io.rtsem.latency.run.SubjectResult.ThreadSchedule;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * On synthetic runs: a waiting thread on a fixed schedule more than one interval's worth behind fails the verdict
 * (releasers and back-to-back loops are not judged); the hiccup floor of a HARD context spreads the gaps its threads
 * logged over their schedule, each delayed iteration to the subject of its slice; and the report keeps only the ratios
 * that mean something.
 */
class ScheduleAndFloorsTest {
    private static final String SCENARIO = """
        interval: 1s
        semaphore: { permits: 0, max-permits: 4 }
        threads:
          - { name: h, context: HARD, cpu: 1, role: acquirer, rate-hz: 1000, releases: none }
          - { name: m, context: SOFT, cpu: none, role: acquirer, rate-hz: max }
          - { name: r, context: SOFT, cpu: none, role: releaser, rate-hz: 1000 }
        """;

    private static ThreadSchedule done(long scheduled, long completed) {
        return new ThreadSchedule(scheduled, completed, 0);
    }

    private static RunReport report(Scenario sc, long peerHardCompleted, long unfinished,
                                    Map<String, Histogram> hiccupFloors) {
        Map<String, ThreadSchedule> rtsem = Map.of("h", done(3_000, 3_000), "m", done(ThreadSchedule.NO_SCHEDULE, 10),
            "r", done(3_000, 10));
        Map<String, ThreadSchedule> peer = Map.of("h", new ThreadSchedule(3_000, peerHardCompleted, unfinished),
            "m", done(ThreadSchedule.NO_SCHEDULE, 5), "r", done(3_000, 0));
        return new RunReport(Runs.run(sc, Map.of(RtContext.HARD, new long[] {1_000, 2_000}, RtContext.SOFT,
            new long[] {1_000}), List.of(), List.of(), List.of(), rtsem, peer, hiccupFloors), List.of());
    }

    @Test
    void moreThanOneIntervalBehindFailsByNameExactlyOneIntervalDoesNot() throws ConfigException {
        Scenario sc = Runs.scenario(SCENARIO);
        RunReport onTheEdge = report(sc, 2_000, 0, Map.of());
        assertTrue(onTheEdge.pass(), "1000 behind at 1 kHz with a 1 s interval: allowed: " + onTheEdge.behind());
        RunReport late = report(sc, 1_999, 1, Map.of());
        assertFalse(late.pass());
        assertEquals(1, late.exitCode());
        assertEquals(1, late.behind().size(), "only h: the releaser and the back-to-back loop are not judged");
        RunReport.Behind b = late.behind().get(0);
        assertEquals("thread h (HARD) completed 4999 of the 6000 iterations its schedule held (rtsem 3000 of 3000, "
            + "peer 1999 of 3000): behind by 1001, more than one interval's worth (1000); 1 wait(s) had not ended when "
            + "the run stopped it", b.describe());
        String console = ConsoleTable.render(late);
        assertTrue(console.contains("FAIL, 1 thread(s) behind their schedule"), console);
        assertTrue(console.contains("  behind: " + b.describe()), console);
        assertTrue(HtmlReport.render(late).contains(b.describe()), "the HTML report names it too");
        @SuppressWarnings("unchecked")
        Map<String, Object> verdict = (Map<String, Object>) late.json().get("verdict");
        assertEquals(false, verdict.get("pass"));
        assertEquals(List.of(Map.of("thread", "h", "context", "HARD", "scheduled", 6_000L, "completed", 4_999L,
            "allowedShortfall", 1_000L, "unfinishedWaits", 1L)), verdict.get("behindSchedule"));
    }

    /** A gap log: gap i starts at starts[i] and lasts lengths[i]. */
    private static Histogram floor(long[] starts, long[] lengths, LongPredicate counts, long spun, long period) {
        return HiccupFloor.fromGaps(starts.length, i -> starts[i], i -> lengths[i], counts, spun, period);
    }

    @Test
    void theHiccupFloorSpreadsEachGapOverTheSchedule() {
        // ten gaps of 50 us in 1 s, met by a 10 kHz schedule: half an iteration per gap, waiting 5 to 45 us
        long[] starts = new long[10];
        long[] lengths = new long[10];
        for (int i = 0; i < 10; i++) {
            starts[i] = i * 100_000_000L;
            lengths[i] = 50_000;
        }
        Histogram floor = floor(starts, lengths, t -> true, 1_000_000_000L, 100_000L);
        assertEquals(10 * 10_000, floor.getTotalCount(), "ten samples per iteration of the 1 s");
        assertEquals(50, floor.getCountBetweenValues(1, 60_000), "five tenths of an iteration per gap");
        assertEquals(45_000, floor.getMaxValue(), 50);
        assertEquals(35_000, floor.getValueAtPercentile(99.99), 50);
        assertEquals(0, floor.getValueAtPercentile(99.9), "most iterations meet no gap");
    }

    @Test
    void aGapOverASliceBoundaryDelaysIterationsOfBothSubjects() {
        // a 1 ms gap from 0, a slice boundary at 400 us, a 10 kHz schedule: the 4 iterations intended before the
        // boundary wait 0.6 to 1 ms (the first subject's), the 6 after it up to 0.6 ms (the second's)
        long[] starts = {0};
        long[] lengths = {1_000_000};
        Histogram first = floor(starts, lengths, t -> t < 400_000, 500_000_000L, 100_000L);
        Histogram second = floor(starts, lengths, t -> t >= 400_000, 500_000_000L, 100_000L);
        assertEquals(40, first.getCountBetweenValues(1, 2_000_000), "four iterations, in tenths");
        assertEquals(605_000, first.getMinNonZeroValue(), 1_000);
        assertEquals(995_000, first.getMaxValue(), 1_000);
        assertEquals(60, second.getCountBetweenValues(1, 2_000_000), "six iterations, in tenths");
        assertEquals(595_000, second.getMaxValue(), 1_000);
        assertEquals(50_000, first.getTotalCount(), "the samples of the 500 ms the thread spun there");
        assertEquals(0, floor(starts, lengths, t -> true, 0, 100_000L).getTotalCount(), "no spinning, no floor");
    }

    @Test
    void waitsGoAgainstTheirOwnCpusHiccupsHandOffsAgainstTheCacheLineFloor() throws ConfigException {
        Scenario sc = Runs.scenario(SCENARIO);
        // two 1 ms gaps in 1 s (and one under the threshold, never logged by a real thread) at 1 kHz
        Histogram hFloor = floor(new long[] {0, 10_000_000, 20_000_000}, new long[] {400, 1_000_000, 1_000_000},
            t -> true, 1_000_000_000L, 1_000_000L);
        RunReport r = report(sc, 3_000, 0, Map.of("h", hFloor));
        assertTrue(r.hiccupFloor(RtContext.HARD) != null, "h spun between its iterations and saw its CPU's gaps");
        assertNull(r.hiccupFloor(RtContext.SOFT), "SOFT's thread naps and runs back to back: no floor");
        assertNull(report(sc, 3_000, 0, Map.of()).hiccupFloor(RtContext.HARD), "no spin gaps, no floor");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Map<String, Object>>> ratios = (Map<String, Map<String, Map<String, Object>>>) r.json()
            .get("ratios");
        Map<String, Object> hardWait = ratios.get("HARD").get("wait");
        assertEquals(List.of("toPeer", "toHiccupFloor"), List.copyOf(hardWait.keySet()), "no wait toFloor");
        assertEquals(List.of("toPeer", "toFloor"), List.copyOf(ratios.get("HARD").get("handoff").keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> toHiccups = (Map<String, Object>) hardWait.get("toHiccupFloor");
        assertNull(toHiccups.get("p50"), "the floor's median is under the detector's threshold: no ratio");
        assertEquals(RunReport.ratio(r.percentiles("rtsem", RtContext.HARD, Metric.WAIT).max(),
            r.hiccupFloor(RtContext.HARD).max()), toHiccups.get("max"), "rtsem's max against the floor's");
        assertTrue(r.hiccupFloor(RtContext.HARD).max() >= 900, "a 1 ms gap met by a 1 kHz schedule: up to 950 us");
        @SuppressWarnings("unchecked")
        Map<String, Object> softToHiccups = (Map<String, Object>) ratios.get("SOFT").get("wait").get("toHiccupFloor");
        assertTrue(softToHiccups.values().stream().allMatch(v -> v == null), softToHiccups.toString());
        String console = ConsoleTable.render(r);
        assertTrue(console.contains("HARD    wait     hiccup floor"), console);
        assertFalse(console.contains("wait     rtsem/floor"), "no wait against the cache-line floor: " + console);
        assertTrue(console.contains("handoff  rtsem/floor"), console);
    }
}
