package io.rtsem.bridge;

import static io.rtsem.bridge.Refusals.refusedOption;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Options of SemaphoreBridge: out-of-range values are refused when set, naming option and value. */
class OptionsValidationTest {
    @Test
    void semaphoreBridgeOptionsRefuseNegativeAndAbsurdValues() {
        final SemaphoreBridge.Options options = SemaphoreBridge.options();
        refusedOption("wakePollInterval", "-1", () -> options.wakePollInterval(-1, TimeUnit.MICROSECONDS));
        refusedOption("wakePollInterval", "2 SECONDS", () -> options.wakePollInterval(2, TimeUnit.SECONDS));
        refusedOption("timerSlack", "-1", () -> options.timerSlack(-1, TimeUnit.MICROSECONDS));
        refusedOption("timerSlack", "2 SECONDS", () -> options.timerSlack(2, TimeUnit.SECONDS));
        refusedOption(
                "holdTimeHighestTrackable",
                "999 NANOSECONDS",
                () -> options.holdTimeHighestTrackable(999, TimeUnit.NANOSECONDS));
        refusedOption("holdTimeHighestTrackable", "2 DAYS", () -> options.holdTimeHighestTrackable(2, TimeUnit.DAYS));
        assertThrows(NullPointerException.class, () -> options.timerSlack(1, null));

        options.wakePollInterval(0, TimeUnit.NANOSECONDS)
                .wakePollInterval(1, TimeUnit.SECONDS)
                .timerSlack(0, TimeUnit.NANOSECONDS)
                .timerSlack(1, TimeUnit.SECONDS)
                .holdTimeHighestTrackable(1, TimeUnit.MICROSECONDS)
                .holdTimeHighestTrackable(1, TimeUnit.DAYS);
    }
}
