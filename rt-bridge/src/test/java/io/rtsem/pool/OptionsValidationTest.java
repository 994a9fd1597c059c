package io.rtsem.pool;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Options of ResourcePool: out-of-range values are refused when set, naming option and value. */
class OptionsValidationTest
{
    private static void refused(final String option, final String value, final Executable call)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call, option + " " + value);
        assertTrue(ex.getMessage().contains(option) && ex.getMessage().contains(value), ex.getMessage());
    }

    @Test
    void resourcePoolOptionsRefuseNonPositiveAndAbsurdValues()
    {
        final ResourcePool.Options options = ResourcePool.options();
        refused("wakePollInterval", "-1", () -> options.wakePollInterval(-1, TimeUnit.MICROSECONDS));
        refused("wakePollInterval", "2 SECONDS", () -> options.wakePollInterval(2, TimeUnit.SECONDS));
        refused("maxBypass", "0", () -> options.maxBypass(0, TimeUnit.MILLISECONDS));
        refused("maxBypass", "-5", () -> options.maxBypass(-5, TimeUnit.MILLISECONDS));
        refused("maxBypass", String.valueOf(Long.MAX_VALUE), () -> options.maxBypass(Long.MAX_VALUE, TimeUnit.DAYS));
        refused("bookkeepingInterval", "0", () -> options.bookkeepingInterval(0, TimeUnit.MILLISECONDS));
        refused("bookkeepingInterval", "2 HOURS", () -> options.bookkeepingInterval(2, TimeUnit.HOURS));
        refused("ringCapacity", "3", () -> options.ringCapacity(3));
        refused("ringCapacity", "0", () -> options.ringCapacity(0));
        refused("ringCapacity", String.valueOf(1 << 30), () -> options.ringCapacity(1 << 30));
        refused("timerSlack", "-1", () -> options.timerSlack(-1, TimeUnit.MICROSECONDS));
        refused("timerSlack", "2 SECONDS", () -> options.timerSlack(2, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> options.maxBypass(1, null));

        // the edges that are allowed
        options.wakePollInterval(0, TimeUnit.NANOSECONDS).wakePollInterval(1, TimeUnit.SECONDS)
            .maxBypass(1, TimeUnit.NANOSECONDS).maxBypass(1, TimeUnit.DAYS)
            .bookkeepingInterval(1, TimeUnit.NANOSECONDS).bookkeepingInterval(1, TimeUnit.HOURS)
            .ringCapacity(1).ringCapacity(1 << 20).timerSlack(0, TimeUnit.NANOSECONDS).timerSlack(1, TimeUnit.SECONDS);
    }
}
