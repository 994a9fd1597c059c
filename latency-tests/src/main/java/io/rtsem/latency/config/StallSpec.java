package io.rtsem.latency.config;

/**
 * Fault injection: the named thread stops once for {@code forNanos}, {@code atNanos} after the
 * measured phase began, just before it would release its permits. Used to show coordinated
 * omission: the stall must appear in corrected percentiles and not in raw service times.
 *
 * @param thread   name of a releaser or a self-releasing acquirer
 * @param atNanos  when, from the start of the measured phase
 * @param forNanos how long the thread stalls (it busy-waits, so the stall is exact)
 */
public record StallSpec(String thread, long atNanos, long forNanos) {

    /**
     * @throws IllegalArgumentException if {@code atNanos} is negative or {@code forNanos} not positive
     * @throws NullPointerException     if {@code thread} is null
     */
    public StallSpec {
        java.util.Objects.requireNonNull(thread, "thread");
        if (atNanos < 0) {
            throw new IllegalArgumentException("atNanos must be 0 or more, got " + atNanos);
        }
        if (forNanos <= 0) {
            throw new IllegalArgumentException("forNanos must be positive, got " + forNanos);
        }
    }
}
