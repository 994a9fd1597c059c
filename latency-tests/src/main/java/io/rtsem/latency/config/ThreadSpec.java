package io.rtsem.latency.config;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtThread;

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
 * @param holdNanos     how long permits are held (busy-waited) after each acquisition; for a {@link Role#HOG}, how
 *                      long it runs busy each period (key {@code busy})
 * @param releasesOwn   an acquirer that gives its permits back ({@code releases: self})
 * @param allocateBytes garbage a bookkeeper allocates per iteration while holding permits
 * @param scheduling    the scheduling its {@code RtThread} asks for at start (key {@code scheduling}; default
 *                      {@link RtScheduling#unchanged()}, written {@code inherit}); the peer's slices run on the same
 *                      thread, so under the same policy
 */
public record ThreadSpec(
        String name,
        RtContext context,
        int cpu,
        Role role,
        long periodNanos,
        int permits,
        long holdNanos,
        boolean releasesOwn,
        int allocateBytes,
        RtScheduling scheduling) {

    /**
     * @throws IllegalArgumentException if {@code cpu} is negative but neither {@code RtThread.ANY_CPU} nor
     *                                  {@code RtThread.NO_PIN}, or a period, permit count, hold or allocation is out of
     *                                  range (the message names the value)
     * @throws NullPointerException     if {@code name}, {@code context}, {@code role} or {@code scheduling} is null
     */
    public ThreadSpec {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(context, "context");
        java.util.Objects.requireNonNull(role, "role");
        java.util.Objects.requireNonNull(scheduling, "scheduling");
        checkCpu(cpu);
        if (periodNanos < 0) {
            throw new IllegalArgumentException(
                    "periodNanos must be 0 (as fast as possible) or positive, got " + periodNanos);
        }
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, got " + permits);
        }
        if (holdNanos < 0) {
            throw new IllegalArgumentException("holdNanos must be 0 or more, got " + holdNanos);
        }
        if (allocateBytes < 0) {
            throw new IllegalArgumentException("allocateBytes must be 0 or more, got " + allocateBytes);
        }
    }

    /**
     * A thread that keeps the scheduling it inherits ({@code scheduling: inherit}; a scenario file without the key
     * gets {@code default/prefer} instead). Set-up time; allocates.
     *
     * @throws IllegalArgumentException as the canonical constructor
     * @throws NullPointerException     if {@code name}, {@code context} or {@code role} is null
     */
    public ThreadSpec(
            String name,
            RtContext context,
            int cpu,
            Role role,
            long periodNanos,
            int permits,
            long holdNanos,
            boolean releasesOwn,
            int allocateBytes) {
        this(
                name,
                context,
                cpu,
                role,
                periodNanos,
                permits,
                holdNanos,
                releasesOwn,
                allocateBytes,
                RtScheduling.unchanged());
    }

    /**
     * The scheduling request as a scenario file writes it: {@code inherit} for {@link RtScheduling#unchanged()},
     * else {@link RtScheduling#toString()} ({@code fifo:40}, {@code other}, {@code default}, with {@code /prefer} in
     * PREFER mode). Any context; allocates.
     *
     * @param scheduling a request
     * @return its text in scenario-file syntax
     */
    public static String schedulingText(RtScheduling scheduling) {
        return scheduling.isUnchanged()
                ? (scheduling.isPreferred() ? "inherit/prefer" : "inherit")
                : scheduling.toString();
    }

    private static void checkCpu(int cpu) {
        if (cpu < 0 && cpu != RtThread.ANY_CPU && cpu != RtThread.NO_PIN) {
            throw new IllegalArgumentException("cpu must be a CPU number, RtThread.ANY_CPU (" + RtThread.ANY_CPU
                    + ") or RtThread.NO_PIN (" + RtThread.NO_PIN + "), got " + cpu);
        }
    }

    /**
     * @param newCpu a CPU number, {@code RtThread.ANY_CPU} or {@code RtThread.NO_PIN}
     * @return the same thread on another CPU (a {@code cpu: any} resolved before the run)
     * @throws IllegalArgumentException if {@code newCpu} is negative but neither {@code ANY_CPU} nor {@code NO_PIN}
     */
    public ThreadSpec withCpu(int newCpu) {
        return new ThreadSpec(
                name, context, newCpu, role, periodNanos, permits, holdNanos, releasesOwn, allocateBytes, scheduling);
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
        return role == Role.ACQUIRER || role == Role.BOOKKEEPER;
    }
}
