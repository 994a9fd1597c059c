package io.rtsem.latency.report;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The percentiles every report shows, in microseconds, taken from a nanosecond histogram.
 * Immutable. NON_RT; allocates.
 *
 * @param count  values recorded
 * @param mean   mean
 * @param p50    median
 * @param p90    90th percentile
 * @param p99    99th
 * @param p999   99.9th
 * @param p9999  99.99th
 * @param max    largest value
 */
public record Percentiles(
        long count, double mean, double p50, double p90, double p99, double p999, double p9999, double max) {

    /** @throws IllegalArgumentException if {@code count} is negative */
    public Percentiles {
        if (count < 0) {
            throw new IllegalArgumentException("count must be 0 or more, got " + count);
        }
    }

    /** The JSON / table names, in order. */
    public static final String[] NAMES = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};

    /**
     * @param h a histogram of nanoseconds
     * @return its percentiles in microseconds (all 0 when empty)
     * @throws NullPointerException if {@code h} is null
     */
    public static Percentiles of(Histogram h) {
        java.util.Objects.requireNonNull(h, "h");
        if (h.getTotalCount() == 0) {
            return new Percentiles(0, 0, 0, 0, 0, 0, 0, 0);
        }
        return new Percentiles(
                h.getTotalCount(),
                h.getMean() / 1e3,
                us(h, 50),
                us(h, 90),
                us(h, 99),
                us(h, 99.9),
                us(h, 99.99),
                h.getMaxValue() / 1e3);
    }

    private static double us(Histogram h, double p) {
        return h.getValueAtPercentile(p) / 1e3;
    }

    /**
     * @param name one of {@link #NAMES}
     * @return its value, microseconds
     * @throws IllegalArgumentException if {@code name} is not one of {@link #NAMES}
     */
    public double get(String name) {
        if (name == null) {
            throw new IllegalArgumentException(
                    "unknown percentile name null; expected one of " + java.util.List.of(NAMES));
        }
        return switch (name) {
            case "p50" -> p50;
            case "p90" -> p90;
            case "p99" -> p99;
            case "p99.9" -> p999;
            case "p99.99" -> p9999;
            case "max" -> max;
            default ->
                throw new IllegalArgumentException(
                        "unknown percentile name \"" + name + "\"; expected one of " + java.util.List.of(NAMES));
        };
    }

    /** @return the JSON object: count, mean and each of {@link #NAMES}, microseconds. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("mean", round(mean));
        for (String n : NAMES) {
            m.put(n, round(get(n)));
        }
        return m;
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
