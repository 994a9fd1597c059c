package io.rtsem.bridge;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Range checks of the options of {@link SemaphoreBridge} and {@code io.rtsem.pool.ResourcePool} (through
 * {@link CommonOptions} and each product's own setters): a value out of range is refused when it is set, with an
 * {@link IllegalArgumentException} naming the option, the value and the range.
 *
 * <p><b>Internal:</b> public only so that {@code io.rtsem.pool} can use it; not part of the API, may change.
 *
 * <p>Set-up time; allocates only the exception.
 */
public final class OptionChecks {
    /** Longest wake-service poll interval and timer slack: beyond it the service would not be worth running. */
    public static final long MAX_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Longest starvation bound: well clear of {@code nanoTime} overflow in deadlines computed from it. */
    public static final long MAX_BYPASS_NANOS = TimeUnit.DAYS.toNanos(1);
    /** Longest bookkeeping interval (dead owners are reclaimed once per interval). */
    public static final long MAX_BOOKKEEPING_NANOS = TimeUnit.HOURS.toNanos(1);
    /** Largest hold time the histograms resolve. */
    public static final long MAX_HOLD_TIME_NANOS = TimeUnit.DAYS.toNanos(1);
    /** Largest bookkeeping ring (records per thread; about 30 bytes each). */
    public static final int MAX_RING_CAPACITY = 1 << 20;

    private OptionChecks() {}

    /**
     * {@code time} in nanoseconds, if within {@code [minNanos, maxNanos]}.
     *
     * @param option   the option's name, for the message.
     * @param time     the value set.
     * @param unit     its unit.
     * @param minNanos the least value allowed.
     * @param maxNanos the greatest value allowed.
     * @return the value in nanoseconds.
     * @throws IllegalArgumentException naming {@code option}, the value and the range, if outside it.
     * @throws NullPointerException if {@code unit} is {@code null}.
     */
    public static long nanos(String option, long time, TimeUnit unit, long minNanos, long maxNanos) {
        Objects.requireNonNull(unit, option + ": unit");
        final long nanos = unit.toNanos(time); // saturates at Long.MIN/MAX_VALUE: still out of range
        if (nanos < minNanos || nanos > maxNanos) {
            throw new IllegalArgumentException(option + " must be between " + describe(minNanos) + " and "
                    + describe(maxNanos) + ", got " + time + " " + unit);
        }
        return nanos;
    }

    /**
     * {@code capacity}, if a power of two in {@code [1, MAX_RING_CAPACITY]}.
     *
     * @param option   the option's name, for the message.
     * @param capacity the value set.
     * @return {@code capacity}.
     * @throws IllegalArgumentException naming {@code option}, the value and the range, if not.
     */
    public static int ringCapacity(String option, int capacity) {
        if (capacity < 1 || capacity > MAX_RING_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(
                    option + " must be a power of two between 1 and " + MAX_RING_CAPACITY + ", got " + capacity);
        }
        return capacity;
    }

    private static String describe(long nanos) {
        final long[] units = {TimeUnit.DAYS.toNanos(1), TimeUnit.HOURS.toNanos(1), 1_000_000_000L, 1_000_000L, 1_000L};
        final String[] names = {" d", " h", " s", " ms", " us"};
        for (int i = 0; i < units.length; i++) {
            if (nanos != 0 && nanos % units[i] == 0) {
                return nanos / units[i] + names[i];
            }
        }
        return nanos + " ns";
    }
}
