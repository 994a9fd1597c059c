package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The slices rtsem and the peer alternate in: what every thread computes from an instant ({@link Slices#subjectAt},
 * {@link Slices#sliceEnd}) agrees with what the harness counts ({@link Slices#scheduled}, {@link Slices#instantOf}),
 * each subject gets half of the measured window, and a thread whose period is a multiple of two slices does not land
 * on one subject every time. Pure arithmetic; no thread, no clock.
 */
class SlicesTest {
    private static final long MS = 1_000_000L;
    private static final long ORIGIN = 123_456_789_000L;

    @Test
    void eachSubjectGetsHalfOfTheMeasuredWindowInSlicesAroundTheNominalLength() {
        Slices s = Slices.interleaved(ORIGIN, 6_000 * MS, 100 * MS);
        assertEquals(60, s.pairs());
        assertEquals(120, s.count());
        assertEquals(100 * MS, s.nominalSliceNanos());
        assertEquals(ORIGIN + 12_000 * MS, s.stop());
        assertEquals(6_000 * MS, s.perSubjectNanos());
        long[] range = s.sliceLengthRange();
        assertTrue(range[0] >= 50 * MS && range[1] <= 150 * MS && range[0] < range[1], range[0] + " to " + range[1]);
        // walk the window in 10 us steps: the time each subject holds, and every slice boundary
        long[] held = new long[2];
        int switches = 0;
        int last = s.subjectAt(ORIGIN);
        assertEquals(0, last, "rtsem's slice first");
        long step = 10_000;
        for (long t = ORIGIN; t < s.stop(); t += step) {
            int subject = s.subjectAt(t);
            held[subject] += step;
            if (subject != last) {
                switches++;
                last = subject;
                long boundary = s.sliceEnd(t - step);
                assertTrue(boundary > t - step && boundary <= t, "the previous slice ends where this one begins");
            }
            assertTrue(
                    s.sliceEnd(t) > t
                            && s.subjectAt(s.sliceEnd(t) - 1) == subject
                            && s.subjectAt(s.sliceEnd(t)) != subject,
                    "sliceEnd is where the subject changes");
        }
        assertEquals(119, switches, "120 slices in the window");
        assertEquals(6_000 * MS, held[0], 2 * step * 60);
        assertEquals(6_000 * MS, held[1], 2 * step * 60);
        assertEquals(1, s.subjectAt(s.stop() - 1), "the peer's slice last");
        assertEquals(0, s.subjectAt(s.stop()), "the next pair would start with rtsem");
    }

    @Test
    void theCountOfAScheduleIsWhatTheThreadsWouldMeet() {
        Slices s = Slices.interleaved(ORIGIN, 1_000 * MS, 100 * MS);
        long first = ORIGIN - 600 * MS; // the warm-up starts before the window
        for (long period : new long[] {100_000L, 1 * MS, 10 * MS, 33 * MS}) {
            long[] seen = new long[2];
            for (long t = first; t < s.stop(); t += period) {
                if (t >= ORIGIN) {
                    seen[s.subjectAt(t)]++;
                }
            }
            assertEquals(seen[0], s.scheduled(0, first, period), "rtsem, period " + period);
            assertEquals(seen[1], s.scheduled(1, first, period), "peer, period " + period);
            assertEquals(2_000 * MS / period, seen[0] + seen[1], 1, "every start in the window, period " + period);
        }
    }

    @Test
    void aPeriodOfTwoSlicesLandsOnBothSubjects() {
        // without the jitter every start of a 200 ms schedule would fall into rtsem's slices
        Slices s = Slices.interleaved(ORIGIN, 60_000 * MS, 100 * MS);
        long rtsem = s.scheduled(0, ORIGIN, 200 * MS);
        long peer = s.scheduled(1, ORIGIN, 200 * MS);
        assertEquals(600, rtsem + peer);
        assertTrue(rtsem >= 200 && peer >= 200, "rtsem " + rtsem + ", peer " + peer);
    }

    @Test
    void instantOfCountsOnlyTheSubjectsOwnSlices() {
        Slices s = Slices.interleaved(ORIGIN, 1_000 * MS, 100 * MS);
        for (int subject = 0; subject < 2; subject++) {
            for (long offset : new long[] {0, 1, 99 * MS, 700 * MS, 999 * MS}) {
                long t = s.instantOf(subject, offset);
                assertEquals(subject, s.subjectAt(t), "subject " + subject + " at " + offset);
                long own = 0;
                for (long x = ORIGIN; x < t; ) {
                    long e = Math.min(s.sliceEnd(x), t);
                    own += s.subjectAt(x) == subject ? e - x : 0;
                    x = e;
                }
                assertEquals(offset, own, "subject " + subject + " had " + offset + " ns before " + t);
            }
            assertEquals(Long.MAX_VALUE, s.instantOf(subject, 1_001 * MS), "past its measured time (1 s, to a few ns)");
        }
    }

    @Test
    void aSingleSubjectHasTheWholeWindow() {
        Slices s = Slices.single(ORIGIN, ORIGIN + 500 * MS);
        assertTrue(!s.interleaved());
        for (long t = ORIGIN - 900 * MS; t < ORIGIN + 600 * MS; t += 7 * MS) {
            assertEquals(0, s.subjectAt(t));
        }
        assertEquals(Long.MAX_VALUE, s.sliceEnd(ORIGIN));
        assertEquals(500, s.scheduled(0, ORIGIN - 100 * MS, MS));
        assertEquals(0, s.scheduled(1, ORIGIN - 100 * MS, MS));
        assertEquals(ORIGIN + 7, s.instantOf(0, 7));
        assertEquals(1, s.count());
        assertThrows(IllegalArgumentException.class, () -> Slices.interleaved(ORIGIN, 0, MS));
    }
}
