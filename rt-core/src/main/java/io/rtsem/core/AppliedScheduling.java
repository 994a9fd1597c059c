package io.rtsem.core;

import java.util.Locale;

/**
 * What an {@link RtThread}'s scheduling request became: what was asked (the context default resolved), the policy and
 * priority the kernel reports for the thread right after rtsem set them, and why they differ, if they do. Returned by
 * {@link RtThread#scheduling()}.
 *
 * <p>The applied policy is read back with {@code sched_getscheduler}/{@code sched_getparam} at start, not copied
 * from the request. It is the thread's policy at start: something outside rtsem (chrt) may change it later.
 *
 * <p>Immutable. Any context may read it; no accessor allocates but {@link #toString()}.
 */
public final class AppliedScheduling {
    private final RtScheduling requested;
    private final SchedulingPolicy policy;
    private final int priority;
    private final boolean asRequested;
    private final String note;

    AppliedScheduling(RtScheduling requested, SchedulingPolicy policy, int priority, boolean asRequested, String note) {
        this.requested = requested;
        this.policy = policy;
        this.priority = priority;
        this.asRequested = asRequested;
        this.note = note;
    }

    /**
     * What was asked, with a {@link RtScheduling#contextDefault() context default} resolved to what it means for this
     * thread ({@code fifo:40} for SOFT; {@code fifo:60} or {@code other} for HARD; {@code unchanged} for NON_RT),
     * keeping the STRICT/PREFER mode.
     *
     * @return the request.
     */
    public RtScheduling requested() {
        return requested;
    }

    /**
     * The thread's policy after start, as the kernel reported it.
     *
     * @return the policy.
     */
    public SchedulingPolicy policy() {
        return policy;
    }

    /** @return the thread's real-time priority after start (0 under a policy that has none). */
    public int priority() {
        return priority;
    }

    /** @return whether the thread runs under a real-time policy ({@link SchedulingPolicy#isRealTime()}). */
    public boolean realTime() {
        return policy.isRealTime();
    }

    /**
     * Whether the thread got what was asked: the requested policy and priority, or, for {@code unchanged}, no change.
     * {@code false} only in PREFER mode (in STRICT mode a refusal stops the thread).
     *
     * @return {@code true} if the request was applied.
     */
    public boolean asRequested() {
        return asRequested;
    }

    /**
     * Why the applied scheduling is not what was asked (the system call, errno, strerror and the fix), or, where it
     * is, anything worth knowing about it (a HARD default kept at SCHED_OTHER because of RT throttling; FIFO asked
     * for HARD while RT throttling is on). Empty when there is nothing to say.
     *
     * @return the note, never {@code null}.
     */
    public String note() {
        return note;
    }

    /** @return e.g. {@code "asked fifo:40, runs fifo:40"} plus the note if any (allocates). */
    @Override
    public String toString() {
        final String applied = policy.name().toLowerCase(Locale.ROOT) + (policy.isRealTime() ? ":" + priority : "");
        return "asked " + requested + ", runs " + applied + (note.isEmpty() ? "" : " (" + note + ")");
    }
}
