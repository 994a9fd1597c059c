package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.LongPredicate;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The hiccup floor of a HARD thread spreads the gaps it logged over its schedule, every iteration a gap delays to the
 * subject whose slice the gap started in.
 */
class HiccupFloorTest {

    /** A gap log: gap i starts at starts[i] and lasts lengths[i]. */
    private static Histogram floor(long[] starts, long[] lengths, LongPredicate counts, long spun, long period) {
        return HiccupFloor.fromGaps(starts.length, i -> starts[i], i -> lengths[i], t -> true, counts, spun, period);
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
    void aGapOverASliceBoundaryDelaysIterationsOfTheSubjectItStartedOn() {
        // a 1 ms gap from 0, a slice boundary at 400 us, a 10 kHz schedule: all ten iterations intended in the gap wait
        // on the first subject (the backlog stays with the subject that made it), 0.05 to 0.95 ms after the gap's start
        long[] starts = {0};
        long[] lengths = {1_000_000};
        LongPredicate firstSlice = t -> t < 400_000;
        LongPredicate secondSlice = t -> t >= 400_000;
        Histogram first =
                HiccupFloor.fromGaps(1, i -> starts[i], i -> lengths[i], firstSlice, t -> true, 500_000_000L, 100_000L);
        Histogram second = HiccupFloor.fromGaps(
                1, i -> starts[i], i -> lengths[i], secondSlice, t -> true, 500_000_000L, 100_000L);
        assertEquals(100, first.getCountBetweenValues(1, 2_000_000), "ten iterations, in tenths");
        assertEquals(5_000, first.getMinNonZeroValue(), 100);
        assertEquals(995_000, first.getMaxValue(), 1_000);
        assertEquals(0, second.getCountBetweenValues(1, 2_000_000), "none on the subject the gap did not start on");
        assertEquals(50_000, first.getTotalCount(), "the samples of the 500 ms the thread spun there");
        Histogram measuredHalf = HiccupFloor.fromGaps(
                1, i -> starts[i], i -> lengths[i], firstSlice, t -> t < 500_000, 500_000_000L, 100_000L);
        assertEquals(
                50, measuredHalf.getCountBetweenValues(1, 2_000_000), "only intended starts in the measured window");
        assertEquals(0, floor(starts, lengths, t -> true, 0, 100_000L).getTotalCount(), "no spinning, no floor");
    }
}
