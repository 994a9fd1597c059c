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
}
