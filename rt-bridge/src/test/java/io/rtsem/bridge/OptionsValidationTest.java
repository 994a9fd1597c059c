package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Options of SemaphoreBridge: out-of-range values are refused when set, naming option and value. */
class OptionsValidationTest
{
    private static void refused(final String option, final String value, final Executable call)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call, option + " " + value);
        assertTrue(ex.getMessage().contains(option) && ex.getMessage().contains(value), ex.getMessage());
    }

    @Test
    void semaphoreBridgeOptionsRefuseNegativeAndAbsurdValues()
    {
        final SemaphoreBridge.Options options = SemaphoreBridge.options();
        refused("wakePollInterval", "-1", () -> options.wakePollInterval(-1, TimeUnit.MICROSECONDS));
        refused("wakePollInterval", "2 SECONDS", () -> options.wakePollInterval(2, TimeUnit.SECONDS));
        refused("timerSlack", "-1", () -> options.timerSlack(-1, TimeUnit.MICROSECONDS));
        refused("timerSlack", "2 SECONDS", () -> options.timerSlack(2, TimeUnit.SECONDS));
        refused("holdTimeHighestTrackable", "999 NANOSECONDS",
            () -> options.holdTimeHighestTrackable(999, TimeUnit.NANOSECONDS));
        refused("holdTimeHighestTrackable", "2 DAYS", () -> options.holdTimeHighestTrackable(2, TimeUnit.DAYS));
        assertThrows(NullPointerException.class, () -> options.timerSlack(1, null));

        options.wakePollInterval(0, TimeUnit.NANOSECONDS).wakePollInterval(1, TimeUnit.SECONDS)
            .timerSlack(0, TimeUnit.NANOSECONDS).timerSlack(1, TimeUnit.SECONDS)
            .holdTimeHighestTrackable(1, TimeUnit.MICROSECONDS).holdTimeHighestTrackable(1, TimeUnit.DAYS);
    }
}
