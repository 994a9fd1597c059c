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
 * (releasers and back-to-back loops are not judged); the hiccup floor of a HARD context (run/HiccupFloorTest for how it
 * is computed) goes into the report; and the report keeps only the ratios that mean something.
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

    private static RunReport report(
            Scenario sc, long peerHardCompleted, long unfinished, Map<String, Histogram> hiccupFloors) {
        Map<String, ThreadSchedule> rtsem =
                Map.of("h", done(3_000, 3_000), "m", done(ThreadSchedule.NO_SCHEDULE, 10), "r", done(3_000, 10));
        Map<String, ThreadSchedule> peer = Map.of(
                "h",
                new ThreadSchedule(3_000, peerHardCompleted, unfinished),
                "m",
                done(ThreadSchedule.NO_SCHEDULE, 5),
                "r",
                done(3_000, 0));
        return new RunReport(
                Runs.run(
                        sc,
                        Map.of(RtContext.HARD, new long[] {1_000, 2_000}, RtContext.SOFT, new long[] {1_000}),
                        List.of(),
                        List.of(),
                        List.of(),
                        rtsem,
                        peer,
                        hiccupFloors),
                List.of());
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
        assertEquals(
                "thread h (HARD) completed 4999 of the 6000 iterations its schedule held (rtsem 3000 of 3000, "
                        + "peer 1999 of 3000): behind by 1001, more than one interval's worth (1000); 1 wait(s) "
                        + "had not ended when the run stopped it",
                b.describe());
        String console = ConsoleTable.render(late);
        assertTrue(console.contains("FAIL, 1 thread(s) behind their schedule"), console);
        assertTrue(console.contains("  behind: " + b.describe()), console);
        assertTrue(HtmlReport.render(late).contains(b.describe()), "the HTML report names it too");
        @SuppressWarnings("unchecked")
        Map<String, Object> verdict = (Map<String, Object>) late.json().get("verdict");
        assertEquals(false, verdict.get("pass"));
        assertEquals(
                List.of(Map.of(
                        "thread",
                        "h",
                        "context",
                        "HARD",
                        "scheduled",
                        6_000L,
                        "completed",
                        4_999L,
                        "allowedShortfall",
                        1_000L,
                        "unfinishedWaits",
                        1L)),
                verdict.get("behindSchedule"));
    }

    /** A gap log: gap i starts at starts[i] and lasts lengths[i]. */
    private static Histogram floor(long[] starts, long[] lengths, LongPredicate counts, long spun, long period) {
        return HiccupFloor.fromGaps(starts.length, i -> starts[i], i -> lengths[i], t -> true, counts, spun, period);
    }

    @Test
    void waitsGoAgainstTheirOwnCpusHiccupsHandOffsAgainstTheCacheLineFloor() throws ConfigException {
        Scenario sc = Runs.scenario(SCENARIO);
        // two 1 ms gaps in 1 s (and one under the threshold, never logged by a real thread) at 1 kHz
        Histogram hFloor = floor(
                new long[] {0, 10_000_000, 20_000_000},
                new long[] {400, 1_000_000, 1_000_000},
                t -> true,
                1_000_000_000L,
                1_000_000L);
        RunReport r = report(sc, 3_000, 0, Map.of("h", hFloor));
        assertTrue(r.hiccupFloor(RtContext.HARD) != null, "h spun between its iterations and saw its CPU's gaps");
        assertNull(r.hiccupFloor(RtContext.SOFT), "SOFT's thread naps and runs back to back: no floor");
        assertNull(report(sc, 3_000, 0, Map.of()).hiccupFloor(RtContext.HARD), "no spin gaps, no floor");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Map<String, Object>>> ratios =
                (Map<String, Map<String, Map<String, Object>>>) r.json().get("ratios");
        Map<String, Object> hardWait = ratios.get("HARD").get("wait");
        assertEquals(List.of("toPeer", "toHiccupFloor"), List.copyOf(hardWait.keySet()), "no wait toFloor");
        assertEquals(
                List.of("toPeer", "toFloor"),
                List.copyOf(ratios.get("HARD").get("handoff").keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> toHiccups = (Map<String, Object>) hardWait.get("toHiccupFloor");
        assertNull(toHiccups.get("p50"), "the floor's median is under the detector's threshold: no ratio");
        assertEquals(
                RunReport.ratio(
                        r.percentiles("rtsem", RtContext.HARD, Metric.WAIT).max(),
                        r.hiccupFloor(RtContext.HARD).max()),
                toHiccups.get("max"),
                "rtsem's max against the floor's");
        assertTrue(r.hiccupFloor(RtContext.HARD).max() >= 900, "a 1 ms gap met by a 1 kHz schedule: up to 950 us");
        @SuppressWarnings("unchecked")
        Map<String, Object> softToHiccups =
                (Map<String, Object>) ratios.get("SOFT").get("wait").get("toHiccupFloor");
        assertTrue(softToHiccups.values().stream().allMatch(v -> v == null), softToHiccups.toString());
        String console = ConsoleTable.render(r);
        assertTrue(console.contains("HARD    wait     hiccup floor"), console);
        assertFalse(console.contains("wait     rtsem/floor"), "no wait against the cache-line floor: " + console);
        assertTrue(console.contains("handoff  rtsem/floor"), console);
    }
}
