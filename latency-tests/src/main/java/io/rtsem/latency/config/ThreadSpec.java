package io.rtsem.latency.config;

import io.rtsem.core.RtContext;

/**
 * One thread of a scenario. Immutable.
 *
 * @param name          unique name, also the Java thread name
 * @param context       the context the thread waits in
 * @param cpu           a CPU number, {@code RtThread.ANY_CPU} ("any": rtsem picks a free CPU) or
 *                      {@code RtThread.NO_PIN} ("none")
 * @param role          what the thread does
 * @param periodNanos   the fixed schedule's period, or {@code 0} for "as fast as possible"
 * @param permits       permits per acquisition or release
 * @param holdNanos     how long permits are held (busy-waited) after each acquisition
 * @param releasesOwn   an acquirer that gives its permits back ({@code releases: self})
 * @param allocateBytes garbage a bookkeeper allocates per iteration while holding permits
 */
public record ThreadSpec(String name, RtContext context, int cpu, Role role, long periodNanos, int permits,
                         long holdNanos, boolean releasesOwn, int allocateBytes) {

    /**
     * @param newCpu a CPU number, {@code RtThread.ANY_CPU} or {@code RtThread.NO_PIN}
     * @return the same thread on another CPU (a {@code cpu: any} resolved before the run)
     */
    public ThreadSpec withCpu(int newCpu) {
        return new ThreadSpec(name, context, newCpu, role, periodNanos, permits, holdNanos, releasesOwn, allocateBytes);
    }

    /** @return true if the thread is pinned to one CPU number. */
    public boolean pinnedToFixedCpu() {
        return cpu >= 0;
    }

    /** @return true if the thread loops on a fixed schedule (so its waits are corrected for coordinated omission). */
    public boolean fixedRate() {
        return periodNanos > 0;
    }

    /** @return true if the thread waits on the semaphore (and so has wait latencies to report). */
    public boolean waits() {
        return role != Role.RELEASER;
    }
}
