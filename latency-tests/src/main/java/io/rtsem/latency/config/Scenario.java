package io.rtsem.latency.config;

import io.rtsem.core.RtContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated scenario: what {@code ./rtsem validate} runs. Produced by {@link ScenarioLoader};
 * every field already passed validation. Immutable.
 *
 * @param name           scenario name (the file name without {@code .yaml} unless set)
 * @param description    one line for the report
 * @param file           the file it was read from, as the user named it
 * @param warmupNanos    warm-up per subject: once for each alone (the JIT pass), then again in the interleaved phase
 *                       before its measurement (its samples are discarded)
 * @param durationNanos  measured time per semaphore (rtsem and the j.u.c. peer alternate in slices, so the
 *                       measured phase lasts twice this)
 * @param floorNanos     duration of the cache-line hand-off floor measurement, and of the per-CPU gap detector
 * @param intervalNanos  interval of the {@code .hlog} logs and the progress line
 * @param semaphore      semaphore options
 * @param threads        the threads, in file order
 * @param budgets        budgets by context, in context order (only contexts that have waiting threads)
 * @param stall          optional fault injection
 * @param sliceNanos     nominal length of a slice in which one subject runs before the other takes over
 */
public record Scenario(
        String name,
        String description,
        String file,
        long warmupNanos,
        long durationNanos,
        long floorNanos,
        long intervalNanos,
        SemaphoreSpec semaphore,
        List<ThreadSpec> threads,
        Map<RtContext, Budget> budgets,
        Optional<StallSpec> stall,
        long sliceNanos) {

    /** The slice when a scenario sets none: 100 ms, or the duration if that is shorter. */
    public static final long DEFAULT_SLICE_NANOS = 100_000_000L;

    /**
     * A scenario with the default slice ({@link #DEFAULT_SLICE_NANOS}, at most {@code durationNanos}).
     *
     * @param name           scenario name
     * @param description    one line for the report
     * @param file           the file it was read from
     * @param warmupNanos    warm-up per subject
     * @param durationNanos  measured time per subject
     * @param floorNanos     duration of the floor measurements
     * @param intervalNanos  interval of the logs
     * @param semaphore      semaphore options
     * @param threads        the threads
     * @param budgets        budgets by context
     * @param stall          optional fault injection
     */
    public Scenario(
            String name,
            String description,
            String file,
            long warmupNanos,
            long durationNanos,
            long floorNanos,
            long intervalNanos,
            SemaphoreSpec semaphore,
            List<ThreadSpec> threads,
            Map<RtContext, Budget> budgets,
            Optional<StallSpec> stall) {
        this(
                name,
                description,
                file,
                warmupNanos,
                durationNanos,
                floorNanos,
                intervalNanos,
                semaphore,
                threads,
                budgets,
                stall,
                Math.min(DEFAULT_SLICE_NANOS, Math.max(1, durationNanos)));
    }

    /**
     * @throws IllegalArgumentException if a duration is out of range ({@code warmup} negative, another not positive,
     *                                  or a planned run time that does not fit a {@code long}), or there is no thread
     *                                  (the message names the value)
     * @throws NullPointerException     if a component is null
     */
    public Scenario {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(description, "description");
        java.util.Objects.requireNonNull(file, "file");
        java.util.Objects.requireNonNull(semaphore, "semaphore");
        java.util.Objects.requireNonNull(threads, "threads");
        java.util.Objects.requireNonNull(budgets, "budgets");
        java.util.Objects.requireNonNull(stall, "stall");
        if (warmupNanos < 0) {
            throw new IllegalArgumentException("warmupNanos must be 0 or more, got " + warmupNanos);
        }
        positive("durationNanos", durationNanos);
        positive("floorNanos", floorNanos);
        positive("intervalNanos", intervalNanos);
        if (threads.isEmpty()) {
            throw new IllegalArgumentException("a scenario needs at least one thread");
        }
        try {
            Math.addExact(
                    Math.multiplyExact(2, floorNanos),
                    Math.multiplyExact(2, Math.addExact(Math.multiplyExact(2, warmupNanos), durationNanos)));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the planned run time overflows: warmupNanos " + warmupNanos
                    + ", durationNanos " + durationNanos + ", floorNanos " + floorNanos);
        }
    }

    private static void positive(String name, long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + nanos);
        }
    }

    /** @return the contexts that have at least one waiting thread, in enum order. Allocates. */
    public Set<RtContext> waitingContexts() {
        Set<RtContext> s = EnumSet.noneOf(RtContext.class);
        for (ThreadSpec t : threads) {
            if (t.waits()) {
                s.add(t.context());
            }
        }
        return s;
    }

    /**
     * @param newBudgets budgets by context
     * @return the same scenario with other budgets
     * @throws NullPointerException if {@code newBudgets} is null
     */
    public Scenario withBudgets(Map<RtContext, Budget> newBudgets) {
        java.util.Objects.requireNonNull(newBudgets, "newBudgets");
        Map<RtContext, Budget> m = new java.util.EnumMap<>(RtContext.class);
        m.putAll(newBudgets);
        return new Scenario(
                name,
                description,
                file,
                warmupNanos,
                durationNanos,
                floorNanos,
                intervalNanos,
                semaphore,
                threads,
                java.util.Collections.unmodifiableMap(m),
                stall,
                sliceNanos);
    }

    /**
     * @return total planned run time: a JIT warm-up of each subject, the interleaved phase (each subject's warm-up
     *         and measurement), then the floor phase (the hand-off floor, then the per-CPU gap detector,
     *         {@code floor} each)
     */
    public long plannedNanos() {
        // floor and gaps; a JIT warm-up of each subject; each subject's warm-up and measurement (interleaved)
        return 2 * floorNanos + 2 * warmupNanos + 2 * (warmupNanos + durationNanos);
    }
}
