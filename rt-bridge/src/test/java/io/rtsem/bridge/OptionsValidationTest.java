package io.rtsem.bridge;

import static io.rtsem.bridge.Refusals.refusedOption;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtScheduling;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Options of SemaphoreBridge: out-of-range values are refused when set, naming option and value. */
class OptionsValidationTest {
    @Test
    void semaphoreBridgeOptionsRefuseNegativeAndAbsurdValues() {
        final SemaphoreBridge.Options options = SemaphoreBridge.options();
        refusedOption("wakePollInterval", "-1", () -> options.wakePollInterval(-1, TimeUnit.MICROSECONDS));
        refusedOption("wakePollInterval", "2 SECONDS", () -> options.wakePollInterval(2, TimeUnit.SECONDS));
        refusedOption("wakeSpin", "-1", () -> options.wakeSpin(-1, TimeUnit.MICROSECONDS));
        refusedOption("wakeSpin", "2 SECONDS", () -> options.wakeSpin(2, TimeUnit.SECONDS));
        refusedOption("timerSlack", "-1", () -> options.timerSlack(-1, TimeUnit.MICROSECONDS));
        refusedOption("timerSlack", "2 SECONDS", () -> options.timerSlack(2, TimeUnit.SECONDS));
        refusedOption(
                "holdTimeHighestTrackable",
                "999 NANOSECONDS",
                () -> options.holdTimeHighestTrackable(999, TimeUnit.NANOSECONDS));
        refusedOption("holdTimeHighestTrackable", "2 DAYS", () -> options.holdTimeHighestTrackable(2, TimeUnit.DAYS));
        assertThrows(NullPointerException.class, () -> options.timerSlack(1, null));

        options.wakeSpin(0, TimeUnit.NANOSECONDS)
                .wakeSpin(1, TimeUnit.SECONDS)
                .wakePollInterval(0, TimeUnit.NANOSECONDS)
                .wakePollInterval(1, TimeUnit.SECONDS)
                .timerSlack(0, TimeUnit.NANOSECONDS)
                .timerSlack(1, TimeUnit.SECONDS)
                .holdTimeHighestTrackable(1, TimeUnit.MICROSECONDS)
                .holdTimeHighestTrackable(1, TimeUnit.DAYS);
    }

    @Test
    void aSpinWindowAndARealTimeWakeServiceAreRefusedTogetherInEitherOrder() {
        final RtScheduling fifo = RtScheduling.fifo(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY);
        final IllegalArgumentException spinFirst = assertThrows(
                IllegalArgumentException.class,
                () -> SemaphoreBridge.options()
                        .wakeSpin(100, TimeUnit.MICROSECONDS)
                        .wakeScheduling(fifo));
        assertTrue(
                spinFirst.getMessage().contains("wakeSpin 100000 ns with wakeScheduling fifo:45"),
                spinFirst.getMessage());
        final IllegalArgumentException fifoFirst = assertThrows(
                IllegalArgumentException.class,
                () -> SemaphoreBridge.options().wakeScheduling(fifo).wakeSpin(1, TimeUnit.NANOSECONDS));
        assertTrue(
                fifoFirst.getMessage().contains("wakeSpin 1 ns with wakeScheduling fifo:45"), fifoFirst.getMessage());
        // the default window with a real-time service, or no window: accepted; the default window is then none
        assertEquals(0, SemaphoreBridge.options().wakeScheduling(fifo).wakeSpinNanos());
        assertEquals(
                0, SemaphoreBridge.options().wakeScheduling(fifo.preferred()).wakeSpinNanos(), "prefer too");
        assertEquals(
                SemaphoreBridge.DEFAULT_WAKE_SPIN_NANOS,
                SemaphoreBridge.options().wakeSpinNanos());
        assertEquals(
                SemaphoreBridge.DEFAULT_WAKE_SPIN_NANOS,
                SemaphoreBridge.options().wakeScheduling(RtScheduling.other()).wakeSpinNanos());
        assertEquals(
                0,
                SemaphoreBridge.options()
                        .wakeScheduling(fifo)
                        .wakeSpin(0, TimeUnit.NANOSECONDS)
                        .wakeSpinNanos());
        assertEquals(
                0,
                SemaphoreBridge.options()
                        .wakeSpin(0, TimeUnit.NANOSECONDS)
                        .copy()
                        .wakeSpinNanos(),
                "copied");
    }
}
