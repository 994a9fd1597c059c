package io.rtsem.core;

import java.util.Locale;

/**
 * A Linux scheduling policy, as {@code sched_setscheduler(2)} names them. {@link RtScheduling} pairs one with a
 * priority for an {@link RtThread}; {@link AppliedScheduling} reports the one a thread really runs under.
 *
 * <p>{@link #FIFO} and {@link #RR} are the real-time policies: a runnable thread under them always runs before every
 * {@link #OTHER} thread of its CPU, and {@code sched_yield} under them gives way only to runnable threads of the
 * same priority (docs/ARCHITECTURE.md S4).
 */
public enum SchedulingPolicy {
    /** {@code SCHED_OTHER}: the ordinary time-shared policy (CFS/EEVDF). Priority 0. */
    OTHER(0),
    /** {@code SCHED_FIFO}: real-time, runs until it blocks or a higher priority preempts it. Priority 1..99. */
    FIFO(1),
    /** {@code SCHED_RR}: real-time like FIFO, with a time slice among equal priorities. Priority 1..99. */
    RR(2),
    /** {@code SCHED_BATCH}: time-shared, for CPU-bound batch work. Priority 0. */
    BATCH(3),
    /** {@code SCHED_IDLE}: runs only when nothing else would. Priority 0. */
    IDLE(5),
    /**
     * {@code SCHED_DEADLINE}: only ever reported (a thread set to it from outside); it cannot be requested through
     * {@link RtScheduling}, because {@code sched_setscheduler} cannot set it.
     */
    DEADLINE(6);

    /** {@code SCHED_RESET_ON_FORK}: or-ed into a policy so that threads the thread creates start at SCHED_OTHER. */
    static final int RESET_ON_FORK = 0x40000000;

    private final int linuxValue;

    SchedulingPolicy(int linuxValue) {
        this.linuxValue = linuxValue;
    }

    /**
     * Whether this is a real-time policy ({@link #FIFO}, {@link #RR}; {@link #DEADLINE} counts as well, it outranks
     * both). Any context; no allocation.
     *
     * @return {@code true} for FIFO, RR and DEADLINE.
     */
    public boolean isRealTime() {
        return this == FIFO || this == RR || this == DEADLINE;
    }

    /** The kernel's number for this policy ({@code SCHED_FIFO} = 1 ...). */
    int linuxValue() {
        return linuxValue;
    }

    /** Whether the Linux policy number {@code value} (flags masked off) is DEADLINE. */
    static boolean isDeadlineValue(int value) {
        return (value & ~RESET_ON_FORK) == DEADLINE.linuxValue;
    }

    /** Whether the Linux policy number {@code value} (flags masked off) is FIFO, RR or DEADLINE. */
    static boolean isRealTimeValue(int value) {
        final int policy = value & ~RESET_ON_FORK;
        return policy == FIFO.linuxValue || policy == RR.linuxValue || policy == DEADLINE.linuxValue;
    }

    /**
     * The policy the kernel reports as {@code value} (the policy field of {@code /proc/<pid>/task/<tid>/stat}, or
     * {@code sched_getscheduler} with {@code SCHED_RESET_ON_FORK} masked off).
     *
     * @return the policy, or {@code null} for a number this enum does not know.
     */
    static SchedulingPolicy ofLinux(int value) {
        for (final SchedulingPolicy p : values()) {
            if (p.linuxValue == value) {
                return p;
            }
        }
        return null;
    }

    /**
     * The policy a configuration names: {@code other}, {@code fifo}, {@code rr}, {@code batch}, {@code idle},
     * {@code deadline}, case-insensitive, with or without the {@code SCHED_} prefix. Set-up time, any context.
     *
     * @param name the name.
     * @return the policy.
     * @throws IllegalArgumentException naming {@code name} and the known names, if it names none.
     */
    public static SchedulingPolicy forName(String name) {
        if (name != null) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            if (n.startsWith("SCHED_")) {
                n = n.substring("SCHED_".length());
            }
            if (n.equals("NORMAL")) {
                n = "OTHER"; // the kernel's own name for SCHED_OTHER
            }
            for (final SchedulingPolicy p : values()) {
                if (p.name().equals(n)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("unknown scheduling policy '" + name
                + "'; expected one of other, fifo, rr, batch, idle, deadline (optionally prefixed SCHED_)");
    }
}
