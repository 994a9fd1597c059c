package io.rtsem.pool;

import static io.rtsem.bridge.Refusals.refusedOption;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Options of ResourcePool: out-of-range values are refused when set, naming option and value. */
class OptionsValidationTest {
    @Test
    void resourcePoolOptionsRefuseNonPositiveAndAbsurdValues() {
        final ResourcePool.Options options = ResourcePool.options();
        refusedOption("wakePollInterval", "-1", () -> options.wakePollInterval(-1, TimeUnit.MICROSECONDS));
        refusedOption("wakePollInterval", "2 SECONDS", () -> options.wakePollInterval(2, TimeUnit.SECONDS));
        refusedOption("maxBypass", "0", () -> options.maxBypass(0, TimeUnit.MILLISECONDS));
        refusedOption("maxBypass", "-5", () -> options.maxBypass(-5, TimeUnit.MILLISECONDS));
        refusedOption(
                "maxBypass", String.valueOf(Long.MAX_VALUE), () -> options.maxBypass(Long.MAX_VALUE, TimeUnit.DAYS));
        refusedOption("bookkeepingInterval", "0", () -> options.bookkeepingInterval(0, TimeUnit.MILLISECONDS));
        refusedOption("bookkeepingInterval", "2 HOURS", () -> options.bookkeepingInterval(2, TimeUnit.HOURS));
        refusedOption("ringCapacity", "3", () -> options.ringCapacity(3));
        refusedOption("ringCapacity", "0", () -> options.ringCapacity(0));
        refusedOption("ringCapacity", String.valueOf(1 << 30), () -> options.ringCapacity(1 << 30));
        refusedOption("timerSlack", "-1", () -> options.timerSlack(-1, TimeUnit.MICROSECONDS));
        refusedOption("timerSlack", "2 SECONDS", () -> options.timerSlack(2, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> options.maxBypass(1, null));

        // the edges that are allowed
        options.wakePollInterval(0, TimeUnit.NANOSECONDS)
                .wakePollInterval(1, TimeUnit.SECONDS)
                .maxBypass(1, TimeUnit.NANOSECONDS)
                .maxBypass(1, TimeUnit.DAYS)
                .bookkeepingInterval(1, TimeUnit.NANOSECONDS)
                .bookkeepingInterval(1, TimeUnit.HOURS)
                .ringCapacity(1)
                .ringCapacity(1 << 20)
                .timerSlack(0, TimeUnit.NANOSECONDS)
                .timerSlack(1, TimeUnit.SECONDS);
    }
}
