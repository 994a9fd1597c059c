package io.rtsem.latency.run;

import io.rtsem.latency.config.StallSpec;
import io.rtsem.latency.config.ThreadSpec;

/**
 * When the scenario threads of one phase run and on which subject: built once per phase by the harness and shared by
 * every {@link ScenarioWorker} of the phase. Immutable; its methods allocate nothing and may be called from any
 * context (HARD included).
 *
 * @param slices               which subject each intended start belongs to; its {@link Slices#stop() stop} is the
 *                             phase's stop: no iteration is intended at or after it (a late loop may run up to
 *                             {@link ScenarioWorker#OVERRUN_NANOS} past it)
 * @param startNanoTime        first intended start (the warm-up's)
 * @param measureStartNanoTime first intended start that counts
 * @param stall                the phase's one injected stall, or null for none
 */
public record PhaseSchedule(Slices slices, long startNanoTime, long measureStartNanoTime, StallSpec stall) {

    /**
     * @throws NullPointerException if {@code slices} is null
     */
    public PhaseSchedule {
        java.util.Objects.requireNonNull(slices, "slices");
    }

    /**
     * A phase on one subject, without a stall. NON_RT; allocates the schedule.
     *
     * @param startNanoTime        first intended start
     * @param measureStartNanoTime first intended start that counts
     * @param stopNanoTime         no iteration is intended at or after this time
     * @return the schedule
     */
    public static PhaseSchedule single(long startNanoTime, long measureStartNanoTime, long stopNanoTime) {
        return new PhaseSchedule(
                Slices.single(measureStartNanoTime, stopNanoTime), startNanoTime, measureStartNanoTime, null);
    }

    /** @return no iteration is intended at or after this time ({@code slices().stop()}) */
    public long stopNanoTime() {
        return slices.stop();
    }

    /**
     * @param thread  a scenario thread
     * @param subject a subject (lane) index
     * @return when {@code thread} stalls on {@code subject}: at the same point of each subject's own measured time
     *         ({@link Slices#instantOf}), or {@link Long#MAX_VALUE} for never (no stall, or another thread's)
     */
    public long stallAt(ThreadSpec thread, int subject) {
        return stall != null && stall.thread().equals(thread.name())
                ? slices.instantOf(subject, stall.atNanos())
                : Long.MAX_VALUE;
    }

    /** @return how long a stall lasts (0: no stall) */
    public long stallNanos() {
        return stall == null ? 0 : stall.forNanos();
    }
}
