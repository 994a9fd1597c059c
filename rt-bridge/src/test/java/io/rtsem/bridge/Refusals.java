package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.function.Executable;

/**
 * Test support for the bad-input tests of both packages: a call must be refused with an exception naming the bad
 * value, and an option setter taking a duration is accepted exactly within its range. Public for the tests of
 * {@code io.rtsem.pool}.
 */
public final class Refusals {
    private Refusals() {}

    /** An option setter taking a duration. */
    public interface DurationSetter {
        /** Sets the option. */
        void set(long time, TimeUnit unit);
    }

    /** Asserts that {@code call} throws {@code type} with a message containing {@code mustName}; returns it. */
    public static <T extends Throwable> T refused(Class<T> type, String mustName, Executable call) {
        final T ex = assertThrows(type, call, "must be refused, naming " + mustName);
        assertTrue(
                ex.getMessage() != null && ex.getMessage().contains(mustName),
                "the message must name '" + mustName + "': " + ex.getMessage());
        return ex;
    }

    /** Asserts that {@code call} throws an IllegalArgumentException naming {@code option} and {@code value}. */
    public static void refusedOption(String option, String value, Executable call) {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call, option + " " + value);
        assertTrue(ex.getMessage().contains(option) && ex.getMessage().contains(value), ex.getMessage());
    }

    /**
     * Sets {@code time unit} through {@code setter}: accepted if within {@code [minNanos, maxNanos]}, else refused
     * naming the option and the value.
     */
    public static void durationOption(
            String option, long minNanos, long maxNanos, DurationSetter setter, long time, TimeUnit unit) {
        final long nanos = unit.toNanos(time);
        if (nanos >= minNanos && nanos <= maxNanos) {
            setter.set(time, unit); // in range: accepted
            return;
        }
        final IllegalArgumentException ex =
                refused(IllegalArgumentException.class, option, () -> setter.set(time, unit));
        assertTrue(ex.getMessage().contains(time + " " + unit), "names the value: " + ex.getMessage());
    }

    /** Durations with the edges mixed in: any long, around 0, around 1 µs in ns, around one day in ns. */
    public static Arbitrary<Long> times() {
        return Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.longs().between(-3, 3),
                Arbitraries.longs().between(999, 1_001),
                Arbitraries.longs().between(86_399_999_999_000L, 86_400_000_000_001L));
    }
}
