package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The over-budget ring never overwrites a wait not drained yet, and counts what found it full. */
class OverBudgetLogTest {

    private static List<Long> drain(OverBudgetLog log) {
        List<Long> out = new ArrayList<>();
        log.drain((wait, start) -> out.add(wait));
        return out;
    }

    @Test
    void aFullRingKeepsItsOldestWaitsAndCountsTheRestAsLost() {
        OverBudgetLog log = new OverBudgetLog(10, 4);
        for (long w = 11; w <= 16; w++) {
            log.offer(w, w); // 6 waits over budget into 4 slots
            log.offer(3, 0); // and one under budget after each: never logged
        }
        assertEquals(List.of(11L, 12L, 13L, 14L), drain(log), "the oldest four, no below-budget value among them");
        assertEquals(2, log.lost());
        assertEquals(6, log.count(), "every wait over budget counts, lost ones included");
        log.offer(17, 17);
        log.offer(5, 5);
        assertEquals(List.of(17L), drain(log), "drained slots are free again");
        assertEquals(List.of(), drain(log));
        assertEquals(7, log.count());
    }
}
