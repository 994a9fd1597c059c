package io.rtsem.core;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The scheduling an {@link RtThread} asks for when it starts: a policy and priority to set, the context's default,
 * or no change; and what to do when the kernel refuses (STRICT, the default: the thread does not start; PREFER: it
 * runs under the policy it has and says why in {@link RtThread#scheduling()}).
 *
 * <p>Context defaults ({@link #contextDefault()}; docs/ARCHITECTURE.md S1-S3):
 * <ul>
 *   <li>{@code SOFT}: {@code SCHED_FIFO} at {@value #SOFT_PRIORITY}, below the kernel's threaded interrupt handlers
 *   (FIFO 50), so device interrupts on its CPU are still served while it runs.</li>
 *   <li>{@code HARD}: {@code SCHED_FIFO} at {@value #HARD_PRIORITY} (above SOFT) if the thread is pinned and the
 *   machine lets a FIFO spinner run unthrottled ({@code /proc/sys/kernel/sched_rt_runtime_us} is -1). Otherwise it
 *   keeps {@code SCHED_OTHER} and {@link AppliedScheduling#note()} says why: with RT throttling on, the kernel stops
 *   a FIFO spinner for the rest of each period once it used its share (50 ms of every second by default), a far
 *   worse stall than SCHED_OTHER's. Ask for {@link #fifo(int)} explicitly to have FIFO anyway.</li>
 *   <li>{@code NON_RT}: unchanged (the policy it inherited from the thread that started it).</li>
 * </ul>
 *
 * <p>Every real-time policy rtsem sets carries {@code SCHED_RESET_ON_FORK}: threads that a FIFO thread creates (an
 * executor's, a JIT compiler thread it triggers) start at {@code SCHED_OTHER} instead of inheriting FIFO.
 *
 * <p>Immutable value; equal requests are {@link #equals equal}. Set-up time, any context; the factories allocate.
 */
public final class RtScheduling {
    /** The SOFT default's {@code SCHED_FIFO} priority: {@value}. */
    public static final int SOFT_PRIORITY = 40;

    /** The HARD default's {@code SCHED_FIFO} priority where it applies (see the class comment): {@value}. */
    public static final int HARD_PRIORITY = 60;

    /** Lowest and highest real-time priority on Linux. */
    static final int MIN_RT_PRIORITY = 1;

    static final int MAX_RT_PRIORITY = 99;

    private enum Kind {
        CONTEXT_DEFAULT,
        UNCHANGED,
        SET
    }

    private static final RtScheduling CONTEXT_DEFAULT = new RtScheduling(Kind.CONTEXT_DEFAULT, null, 0, false);
    private static final RtScheduling UNCHANGED = new RtScheduling(Kind.UNCHANGED, null, 0, false);

    private final Kind kind;
    private final SchedulingPolicy policy;
    private final int priority;
    private final boolean preferred;

    private RtScheduling(Kind kind, SchedulingPolicy policy, int priority, boolean preferred) {
        this.kind = kind;
        this.policy = policy;
        this.priority = priority;
        this.preferred = preferred;
    }

    /**
     * The default of the thread's context (see the class comment), STRICT. What
     * {@link RtThread#start(String, RtContext, int, Runnable)} uses.
     *
     * @return the request; no allocation (a constant).
     */
    public static RtScheduling contextDefault() {
        return CONTEXT_DEFAULT;
    }

    /**
     * Leave the policy as the thread inherited it from the thread that started it: no system call to set it.
     *
     * @return the request; no allocation (a constant).
     */
    public static RtScheduling unchanged() {
        return UNCHANGED;
    }

    /**
     * {@code SCHED_OTHER}, priority 0, STRICT.
     *
     * @return the request.
     */
    public static RtScheduling other() {
        return of(SchedulingPolicy.OTHER, 0);
    }

    /**
     * {@code SCHED_FIFO} at {@code priority}, STRICT.
     *
     * @param priority 1..99.
     * @return the request.
     * @throws IllegalArgumentException naming {@code priority} if it is outside 1..99.
     */
    public static RtScheduling fifo(int priority) {
        return of(SchedulingPolicy.FIFO, priority);
    }

    /**
     * {@code SCHED_RR} at {@code priority}, STRICT.
     *
     * @param priority 1..99.
     * @return the request.
     * @throws IllegalArgumentException naming {@code priority} if it is outside 1..99.
     */
    public static RtScheduling rr(int priority) {
        return of(SchedulingPolicy.RR, priority);
    }

    /**
     * {@code policy} at {@code priority}, STRICT.
     *
     * @param policy   any policy but {@link SchedulingPolicy#DEADLINE}; not {@code null}.
     * @param priority 1..99 for FIFO and RR; 0 for OTHER, BATCH and IDLE.
     * @return the request.
     * @throws IllegalArgumentException naming the value, for a priority out of the policy's range or DEADLINE.
     * @throws NullPointerException if {@code policy} is null.
     */
    public static RtScheduling of(SchedulingPolicy policy, int priority) {
        Objects.requireNonNull(policy, "policy");
        if (policy == SchedulingPolicy.DEADLINE) {
            throw new IllegalArgumentException("scheduling policy DEADLINE (priority " + priority
                    + ") cannot be requested: sched_setscheduler cannot set it");
        }
        if (policy.isRealTime()) {
            if (priority < MIN_RT_PRIORITY || priority > MAX_RT_PRIORITY) {
                throw new IllegalArgumentException("priority " + priority + " is outside 1..99, the range of " + policy
                        + " (SCHED_" + policy + ") on Linux");
            }
        } else if (priority != 0) {
            throw new IllegalArgumentException(
                    "priority " + priority + " given for " + policy + ", which takes priority 0 only");
        }
        return new RtScheduling(Kind.SET, policy, priority, false);
    }

    /**
     * The request a configuration names: {@code default}, {@code unchanged}, a policy name ({@code other},
     * {@code batch}, {@code idle}), or a real-time policy and priority ({@code fifo:40}, {@code rr:10}); with
     * {@code /prefer} appended, in PREFER mode ({@code fifo:40/prefer}). Case-insensitive. Set-up time.
     *
     * @param text the text.
     * @return the request.
     * @throws IllegalArgumentException naming the text or the part of it that is wrong.
     */
    public static RtScheduling parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("scheduling is null; expected e.g. fifo:40, other, unchanged, default");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        boolean prefer = false;
        if (t.endsWith("/prefer")) {
            prefer = true;
            t = t.substring(0, t.length() - "/prefer".length()).trim();
        } else if (t.endsWith("/strict")) {
            t = t.substring(0, t.length() - "/strict".length()).trim();
        }
        final RtScheduling parsed;
        if (t.equals("default")) {
            parsed = CONTEXT_DEFAULT;
        } else if (t.equals("unchanged")) {
            parsed = UNCHANGED;
        } else {
            final int colon = t.indexOf(':');
            final SchedulingPolicy policy = SchedulingPolicy.forName(colon < 0 ? t : t.substring(0, colon));
            int priority = 0;
            if (colon >= 0) {
                final String number = t.substring(colon + 1).trim();
                try {
                    priority = Integer.parseInt(number);
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException(
                            "priority '" + number + "' in scheduling '" + text + "' is not a number", ex);
                }
            } else if (policy.isRealTime()) {
                throw new IllegalArgumentException("scheduling '" + text
                        + "' names a real-time policy without a priority; e.g. " + t + ":" + SOFT_PRIORITY);
            }
            parsed = of(policy, priority);
        }
        return prefer ? parsed.preferred() : parsed;
    }

    /**
     * This request in PREFER mode: where the kernel refuses it, the thread runs anyway under the policy it has, and
     * {@link RtThread#scheduling()} records what was asked, what applies and why.
     *
     * @return the PREFER variant (this one if it already is).
     */
    public RtScheduling preferred() {
        return preferred ? this : new RtScheduling(kind, policy, priority, true);
    }

    /**
     * This request in STRICT mode (the default): where the kernel refuses it, {@link RtThread#start} throws and the
     * body never runs.
     *
     * @return the STRICT variant (this one if it already is).
     */
    public RtScheduling strict() {
        if (!preferred) {
            return this;
        }
        return kind == Kind.CONTEXT_DEFAULT
                ? CONTEXT_DEFAULT
                : kind == Kind.UNCHANGED ? UNCHANGED : of(policy, priority);
    }

    /** @return {@code true} in PREFER mode, {@code false} in STRICT mode. Any context; no allocation. */
    public boolean isPreferred() {
        return preferred;
    }

    /** @return whether this asks for the context's default. Any context; no allocation. */
    public boolean isContextDefault() {
        return kind == Kind.CONTEXT_DEFAULT;
    }

    /** @return whether this asks for no change. Any context; no allocation. */
    public boolean isUnchanged() {
        return kind == Kind.UNCHANGED;
    }

    /**
     * The policy to set; empty for {@link #contextDefault()} and {@link #unchanged()}. Set-up time (allocates).
     *
     * @return the policy, if this names one.
     */
    public Optional<SchedulingPolicy> policy() {
        return Optional.ofNullable(policy);
    }

    /** @return the priority to set: 1..99 for FIFO/RR, else 0. Any context; no allocation. */
    public int priority() {
        return priority;
    }

    /** The policy field, null unless {@link Kind#SET}. */
    SchedulingPolicy policyOrNull() {
        return policy;
    }

    /** This request with {@code other}'s mode. */
    RtScheduling withModeOf(RtScheduling other) {
        return other.preferred ? preferred() : strict();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RtScheduling)) {
            return false;
        }
        final RtScheduling r = (RtScheduling) o;
        return kind == r.kind && policy == r.policy && priority == r.priority && preferred == r.preferred;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, policy, priority, preferred);
    }

    /**
     * The request in {@link #parse} syntax: {@code fifo:40}, {@code other}, {@code unchanged}, {@code default}, with
     * {@code /prefer} in PREFER mode. Allocates.
     */
    @Override
    public String toString() {
        final String base;
        switch (kind) {
            case CONTEXT_DEFAULT:
                base = "default";
                break;
            case UNCHANGED:
                base = "unchanged";
                break;
            default:
                base = policy.name().toLowerCase(Locale.ROOT) + (policy.isRealTime() ? ":" + priority : "");
        }
        return preferred ? base + "/prefer" : base;
    }
}
