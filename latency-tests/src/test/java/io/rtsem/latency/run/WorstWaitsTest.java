package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A 10 ms stall at 10 kHz (100 overlapping corrected waits) must not crowd distinct smaller outliers out. */
class WorstWaitsTest {
    private static final long PERIOD = 100_000L; // 10 kHz

    @Test
    void aLongStallTakesOneSlotAndLeavesTheOthersToDistinctEpisodes() {
        WorstWaits ww = new WorstWaits(ScenarioWorker.WORST);
        long intended = 0;
        int outliers = 0;
        for (int i = 0; i < 5_000; i++, intended += PERIOD) {
            long wait = 1_000;
            if (i >= 1_000 && i < 1_100) {
                // a stall from 100.0 ms to 110.0 ms: every iteration intended in it acquires at 110 ms
                wait = 110_001_000L - intended;
            } else if (i % 200 == 7 && outliers < 15) {
                wait = 50_000 + 1_000L * outliers++; // 15 isolated outliers of 50-64 us, far apart
            }
            ww.offer(wait, intended, intended + wait, wait);
        }
        List<WaitSample> kept = new ArrayList<>();
        for (int i = 0; i < ww.capacity(); i++) {
            if (ww.waitNanos(i) >= 0) {
                kept.add(new WaitSample(
                        "t", "HARD", ww.waitNanos(i), ww.serviceNanos(i), ww.startNanoTime(i), ww.endNanoTime(i)));
            }
        }
        kept.sort(Comparator.comparingLong(WaitSample::waitNanos).reversed());
        assertEquals(
                100_000_000L, kept.get(0).startEpochNanos(), "the stall's largest wait (intended at its start) kept");
        assertEquals(10_001_000L, kept.get(0).waitNanos());
        long fromStall = kept.stream()
                .filter(w -> w.startEpochNanos() >= 100_000_000L && w.startEpochNanos() < 110_000_000L)
                .count();
        assertEquals(1, fromStall, "the stall's 100 waits share one slot");
        List<WaitSample> episodes = WorstWaits.episodes(kept, ValidationRun.WORST_EPISODES);
        assertEquals(ValidationRun.WORST_EPISODES, episodes.size(), "ten distinct episodes to report: " + episodes);
        assertEquals(64_000L, episodes.get(1).waitNanos(), "the largest isolated outlier comes second");
    }

    @Test
    void overlappingWaitsMergeAndSeparateOnesDoNot() {
        WorstWaits ww = new WorstWaits(4);
        ww.offer(300, 0, 300, 10); // episode A
        ww.offer(250, 100, 350, 10); // overlaps A (starts before 300)
        ww.offer(400, 340, 740, 10); // overlaps A through the previous wait's end (350): A's largest now
        ww.offer(20, 1_000, 1_020, 10); // episode B
        ww.offer(30, 2_000, 2_030, 10); // episode C
        long kept = 0;
        for (int i = 0; i < ww.capacity(); i++) {
            kept += ww.waitNanos(i) >= 0 ? 1 : 0;
        }
        assertEquals(3, kept, "three episodes, three slots");
        assertTrue(contains(ww, 400, 340, 740) && contains(ww, 20, 1_000, 1_020) && contains(ww, 30, 2_000, 2_030));
    }

    @Test
    void episodesBadInput() {
        WaitSample a = new WaitSample("t", "HARD", 100, 10, 0, 100);
        WaitSample b = new WaitSample("u", "HARD", 50, 10, 0, 50);
        // was: every sample for a limit of 0 (the loop checked the limit only after adding one)
        assertEquals(List.of(), WorstWaits.episodes(List.of(a, b), 0));
        assertEquals(List.of(a), WorstWaits.episodes(List.of(a, b), 1));
        message(
                IllegalArgumentException.class,
                "limit must be 0 or more, got -1",
                () -> WorstWaits.episodes(List.of(a), -1));
        message(NullPointerException.class, "sortedWorstFirst", () -> WorstWaits.episodes(null, 1));
    }

    private static void message(Class<? extends Throwable> type, String expected, Executable call) {
        Throwable t = assertThrows(type, call);
        assertEquals(expected, t.getMessage());
    }

    private static boolean contains(WorstWaits ww, long wait, long start, long end) {
        for (int i = 0; i < ww.capacity(); i++) {
            if (ww.waitNanos(i) == wait && ww.startNanoTime(i) == start && ww.endNanoTime(i) == end) {
                return true;
            }
        }
        return false;
    }
}
