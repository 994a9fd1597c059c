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
 * @param warmupNanos    warm-up before each measured phase (its samples are discarded)
 * @param durationNanos  measured phase per semaphore (rtsem, then the j.u.c. peer)
 * @param floorNanos     duration of the cache-line hand-off floor measurement, and of the per-CPU gap detector
 * @param intervalNanos  interval of the {@code .hlog} logs and the progress line
 * @param semaphore      semaphore options
 * @param threads        the threads, in file order
 * @param budgets        budgets by context, in context order (only contexts that have waiting threads)
 * @param stall          optional fault injection
 */
public record Scenario(String name, String description, String file, long warmupNanos, long durationNanos,
                       long floorNanos, long intervalNanos, SemaphoreSpec semaphore, List<ThreadSpec> threads,
                       Map<RtContext, Budget> budgets, Optional<StallSpec> stall) {

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
     */
    public Scenario withBudgets(Map<RtContext, Budget> newBudgets) {
        Map<RtContext, Budget> m = new java.util.EnumMap<>(RtContext.class);
        m.putAll(newBudgets);
        return new Scenario(name, description, file, warmupNanos, durationNanos, floorNanos, intervalNanos,
            semaphore, threads, java.util.Collections.unmodifiableMap(m), stall);
    }

    /**
     * @return total planned run time: warm-up and measurement for rtsem and for the peer, then the floor phase
     *         (the hand-off floor, then the per-CPU gap detector, {@code floor} each)
     */
    public long plannedNanos() {
        // floor and gaps; a JIT warm-up of each subject; each subject's warm-up and measurement
        return 2 * floorNanos + 2 * warmupNanos + 2 * (warmupNanos + durationNanos);
    }
}
