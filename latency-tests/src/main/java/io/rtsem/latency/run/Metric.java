package io.rtsem.latency.run;

/**
 * What a scenario thread measures per iteration, each in its own histogram per context.
 */
public enum Metric {
    /**
     * Corrected wait: from the intended start on the thread's fixed schedule to the moment the
     * permits were acquired. Includes any lateness of the thread itself, so coordinated omission
     * is corrected (JLBH's method). For "as fast as possible" loops it equals {@link #SERVICE}.
     * Budgets apply to this metric.
     */
    WAIT("wait"),
    /** Raw service time: from the call to {@code acquire} to its return (uncorrected). */
    SERVICE("service"),
    /** How long the permits were held: from acquisition to the release call. */
    HOLD("hold"),
    /**
     * Hand-off latency: from the last release (its timestamp, taken just before {@code release})
     * to the waiter that got permits, recorded only when that release happened after the waiter
     * called {@code acquire}, that is, when the waiter really waited for it.
     */
    HANDOFF("handoff");

    private final String label;

    Metric(String label) {
        this.label = label;
    }

    /** @return the lower-case name used in file names, tags and reports. */
    public String label() {
        return label;
    }
}
