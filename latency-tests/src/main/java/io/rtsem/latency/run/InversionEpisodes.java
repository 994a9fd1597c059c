package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.latency.run.ThreadSchedMonitor.SchedChange;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Priority-inversion episodes of one subject: a HARD or SOFT waiter blocked by a holder of a lower context that was
 * not running. Measured in the harness, the same way for rtsem and the j.u.c. peer (the peer knows no holders), from
 * what the scenario threads logged ({@link SpanLog}) and what the scheduler monitor saw ({@link ThreadSchedMonitor}).
 *
 * <p>A wait (its raw blocked interval, from the call to {@code acquire} to its return) of a HARD or SOFT thread counts
 * as one episode when all three hold:
 *
 * <ol>
 *   <li><b>long</b>: it blocked at least {@link #HOLD_FACTOR} times the holder's planned hold plus
 *       {@link #MIN_WAIT_NANOS}. A waiter behind a running holder waits at most about one planned hold (holds spin
 *       to a wall-clock deadline), plus holds of others queued before it and a hand-off; two holds and 100 us more
 *       (well above a parked thread's wake-up: docs/LATENCY.md, "Priority-inversion episodes") is a wait the holder
 *       stretched;
 *   <li><b>blocked by a lower context</b>: a thread of a lower context (SOFT below HARD, NON_RT below both) held
 *       permits of the same subject during it, in a hold that overran its plan by at least
 *       {@link ScenarioWorker#LONG_HOLD_OVERRUN_NANOS} (a running holder ends its hold within a clock read of its
 *       deadline, so an overrun is time it was stopped; only such holds are logged);
 *   <li><b>the holder was not running</b>: in the scheduler monitor's sampling windows that overlap the hold and the
 *       wait, the holder spent at least {@link #NOT_RUNNING_NANOS} runnable but waiting for a CPU
 *       ({@code schedstat}'s {@code run_delay}: it was preempted, not stopped by the JVM, which stops the waiter
 *       too); where the kernel has no schedstat, an involuntary context switch of the holder in those windows.
 * </ol>
 *
 * <p>Every wait over {@link #MIN_WAIT_NANOS} is examined, not only the worst ones, up to
 * {@link ScenarioWorker#SPAN_LOG} per thread and subject (more are counted as lost and the report says so). Holds of
 * acquirers that consume their permits ({@code releases: none}) are not logged: their permits come back from a
 * releaser, not from a holder.
 *
 * <p>NON_RT (the harness, after the run); allocates.
 */
public final class InversionEpisodes {
    /** The shortest blocked interval that can be an episode, nanoseconds (also what a thread logs). */
    public static final long MIN_WAIT_NANOS = 100_000L;
    /** An episode's wait is at least this many of the holder's planned holds, plus {@link #MIN_WAIT_NANOS}. */
    public static final long HOLD_FACTOR = 2;
    /** Time runnable but off the CPU ({@code run_delay}) that says the holder was not running, nanoseconds. */
    public static final long NOT_RUNNING_NANOS = 50_000L;

    private InversionEpisodes() {}

    /**
     * A hold or a wait one scenario thread logged.
     *
     * @param thread           the thread
     * @param context          its context
     * @param plannedHoldNanos its configured hold (for a hold; 0 for a wait)
     * @param startEpochNanos  start (acquisition for a hold, the call to acquire for a wait)
     * @param endEpochNanos    end (the release call for a hold, the acquisition for a wait)
     */
    public record Span(
            String thread, RtContext context, long plannedHoldNanos, long startEpochNanos, long endEpochNanos) {
        /**
         * @throws NullPointerException     if {@code thread} or {@code context} is null
         * @throws IllegalArgumentException if the span ends before it starts or the planned hold is negative
         */
        public Span {
            Objects.requireNonNull(thread, "thread");
            Objects.requireNonNull(context, "context");
            if (endEpochNanos < startEpochNanos) {
                throw new IllegalArgumentException("span of " + thread + " ends (" + endEpochNanos
                        + ") before it starts (" + startEpochNanos + ")");
            }
            if (plannedHoldNanos < 0) {
                throw new IllegalArgumentException(
                        "plannedHoldNanos of " + thread + " must be 0 or more, got " + plannedHoldNanos);
            }
        }

        long length() {
            return endEpochNanos - startEpochNanos;
        }
    }

    /**
     * One episode.
     *
     * @param waiter              the waiting thread
     * @param waiterContext       its context (HARD or SOFT)
     * @param holder              the lower-context thread that held the permits
     * @param holderContext       its context
     * @param waitStartEpochNanos when the waiter called acquire
     * @param waitEndEpochNanos   when it got the permits
     * @param holdNanos           how long the holder held
     * @param plannedHoldNanos    its planned hold
     * @param holderRunDelayNanos time the holder was runnable but off its CPU in the overlapping sampling windows, or
     *                            {@link SchedChange#UNKNOWN}
     * @param holderInvoluntary   its involuntary context switches in those windows
     */
    public record Episode(
            String waiter,
            RtContext waiterContext,
            String holder,
            RtContext holderContext,
            long waitStartEpochNanos,
            long waitEndEpochNanos,
            long holdNanos,
            long plannedHoldNanos,
            long holderRunDelayNanos,
            long holderInvoluntary) {

        /** @return one line for the worst-wait causes: who held, how long against its plan, how long off its CPU. */
        public String describe() {
            String offCpu = holderRunDelayNanos == SchedChange.UNKNOWN
                    ? holderInvoluntary + " involuntary context switch(es)"
                    : String.format(Locale.ROOT, "runnable but off its CPU for %.1f us", holderRunDelayNanos / 1e3);
            return String.format(
                    Locale.ROOT,
                    "blocked %.1f us behind %s (%s), which held %.1f us against a planned %.1f us and was %s in the "
                            + "5 ms sampling windows of the hold",
                    (waitEndEpochNanos - waitStartEpochNanos) / 1e3,
                    holder,
                    holderContext,
                    holdNanos / 1e3,
                    plannedHoldNanos / 1e3,
                    offCpu);
        }
    }

    /**
     * What one subject showed.
     *
     * @param episodes              episodes per waiting context (HARD, SOFT; every real-time context that waited in
     *                              the scenario is a key, 0 where none)
     * @param list                  the episodes, in the order of their waits
     * @param longWaits             HARD and SOFT waits examined (those that blocked {@link #MIN_WAIT_NANOS} or more)
     * @param longWaitsLost         such waits a thread could not log (its log was full): not examined
     * @param longHoldsLost         overrunning holds a thread could not log: not matched
     * @param priorityBoosts        the subject's own count of priority boosts in the measured window (rtsem's
     *                              {@code RtSemaphore.priorityBoosts()}), or null for a subject without priority
     *                              inheritance (the peer)
     * @param priorityBoostsRefused boosts the kernel refused or that were not attempted
     *                              ({@code priorityBoostsRefused()}), or null like {@code priorityBoosts}
     */
    public record Result(
            Map<RtContext, Long> episodes,
            List<Episode> list,
            long longWaits,
            long longWaitsLost,
            long longHoldsLost,
            Long priorityBoosts,
            Long priorityBoostsRefused) {

        /** Nothing measured (a synthetic or warm-up-only result). */
        public static final Result NONE = new Result(Map.of(), List.of(), 0, 0, 0, null, null);

        /** @return the total number of episodes. */
        public long total() {
            return episodes.values().stream().mapToLong(Long::longValue).sum();
        }

        /**
         * @param boosts  {boosts, refused} of the subject in the measured window, or null
         * @return this result with the subject's boost counts
         */
        public Result withBoosts(long[] boosts) {
            return new Result(
                    episodes,
                    list,
                    longWaits,
                    longWaitsLost,
                    longHoldsLost,
                    boosts == null ? null : boosts[0],
                    boosts == null ? null : boosts[1]);
        }
    }

    /**
     * Classifies the waits of one subject.
     *
     * @param waitingContexts the real-time contexts whose threads wait in the scenario (keys of
     *                        {@link Result#episodes})
     * @param waits           long waits the HARD and SOFT threads logged on this subject
     * @param holds           overrunning holds every self-releasing acquirer logged on this subject
     * @param sched           the scheduler monitor's changes of the phase
     * @param waitsLost       long waits not logged
     * @param holdsLost       holds not logged
     * @return the episodes; boosts null (see {@link Result#withBoosts})
     * @throws NullPointerException if a list is null
     */
    public static Result classify(
            List<RtContext> waitingContexts,
            List<Span> waits,
            List<Span> holds,
            List<SchedChange> sched,
            long waitsLost,
            long holdsLost) {
        Objects.requireNonNull(waitingContexts, "waitingContexts");
        Objects.requireNonNull(waits, "waits");
        Objects.requireNonNull(holds, "holds");
        Objects.requireNonNull(sched, "sched");
        Map<RtContext, Long> byContext = new EnumMap<>(RtContext.class);
        for (RtContext c : waitingContexts) {
            if (c != RtContext.NON_RT) {
                byContext.put(c, 0L);
            }
        }
        List<Episode> list = new ArrayList<>();
        long examined = 0;
        for (Span w : waits) {
            if (w.context() == RtContext.NON_RT || w.length() < MIN_WAIT_NANOS) {
                continue;
            }
            examined++;
            Episode best = null;
            long bestOverlap = 0;
            for (Span h : holds) {
                if (h.context().ordinal() <= w.context().ordinal() || h.thread().equals(w.thread())) {
                    continue; // not a lower context
                }
                long from = Math.max(w.startEpochNanos(), h.startEpochNanos());
                long to = Math.min(w.endEpochNanos(), h.endEpochNanos());
                if (to <= from || w.length() < MIN_WAIT_NANOS + HOLD_FACTOR * h.plannedHoldNanos()) {
                    continue;
                }
                long runDelay = 0;
                long involuntary = 0;
                for (SchedChange c : sched) {
                    if (c.thread().equals(h.thread()) && c.fromEpochNanos() <= to && c.toEpochNanos() >= from) {
                        involuntary += c.involuntary();
                        runDelay = runDelay == SchedChange.UNKNOWN || c.runDelayNanos() == SchedChange.UNKNOWN
                                ? SchedChange.UNKNOWN
                                : runDelay + c.runDelayNanos();
                    }
                }
                boolean notRunning = runDelay == SchedChange.UNKNOWN ? involuntary > 0 : runDelay >= NOT_RUNNING_NANOS;
                if (notRunning && to - from > bestOverlap) {
                    bestOverlap = to - from;
                    best = new Episode(
                            w.thread(),
                            w.context(),
                            h.thread(),
                            h.context(),
                            w.startEpochNanos(),
                            w.endEpochNanos(),
                            h.length(),
                            h.plannedHoldNanos(),
                            runDelay,
                            involuntary);
                }
            }
            if (best != null) {
                list.add(best);
                byContext.merge(w.context(), 1L, Long::sum);
            }
        }
        list.sort(java.util.Comparator.comparingLong(Episode::waitStartEpochNanos));
        return new Result(
                java.util.Collections.unmodifiableMap(byContext),
                List.copyOf(list),
                examined,
                waitsLost,
                holdsLost,
                null,
                null);
    }
}
