package io.rtsem.bridge;

import io.rtsem.core.RtScheduling;
import io.rtsem.core.SchedulingPolicy;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The options a {@link SemaphoreBridge} and an {@code io.rtsem.pool.ResourcePool} share: the mode-switch policy, their
 * wake service's spin window, poll interval, timer slack and scheduling, and the name prefix of their threads. Each product's {@code Options}
 * extends it with its own.
 *
 * <p>Not thread-safe; set-up time only, NON_RT. The setters allocate nothing unless they throw; a value out of range
 * is refused when set, with an {@link IllegalArgumentException} naming the option, the value and the range
 * ({@link OptionChecks}). The getters return what was set (or the default); any context, no allocation.
 *
 * @param <T> the concrete options type, returned by the setters for chaining.
 */
public abstract class CommonOptions<T extends CommonOptions<T>> {
    private ModeSwitchPolicy modeSwitchPolicy;
    private long wakePollNanos = WakeService.DEFAULT_POLL_NANOS;
    private long timerSlackNanos = WakeService.DEFAULT_TIMER_SLACK_NANOS;
    /** {@code null}: not set, the default ({@link #wakeScheduling()}). */
    private RtScheduling wakeScheduling;
    /** {@code -1}: not set, the default ({@link #wakeSpinNanos()}). */
    private long wakeSpinNanos = -1L;

    private String name;

    /**
     * Options with the product's default policy and the shared defaults: a spin window of 2 ms where the wake service
     * does not run real-time ({@link SemaphoreBridge#DEFAULT_WAKE_SPIN_NANOS}), then a poll every 20 µs
     * ({@link SemaphoreBridge#DEFAULT_WAKE_POLL_NANOS}), timer slack 1 µs
     * ({@link SemaphoreBridge#DEFAULT_TIMER_SLACK_NANOS}), the wake service at {@code SCHED_OTHER}
     * ({@link SemaphoreBridge#DEFAULT_WAKE_SCHEDULING}), a generated name.
     *
     * @param defaultPolicy the product's default mode-switch policy.
     */
    protected CommonOptions(ModeSwitchPolicy defaultPolicy) {
        this.modeSwitchPolicy = defaultPolicy;
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /**
     * What HARD callers of mode-switch checked methods get (default: {@link ModeSwitchPolicy#THROW} for a bridge,
     * {@link ModeSwitchPolicy#ALLOW} for a pool, whose only checked call, a timed allocate, spins from HARD).
     *
     * @param policy the policy.
     * @return these options.
     */
    public T modeSwitchPolicy(ModeSwitchPolicy policy) {
        this.modeSwitchPolicy = Objects.requireNonNull(policy, "policy");
        return self();
    }

    /**
     * How often the wake service checks the wake indication while waiters are parked (default 20 µs). 0 makes it
     * spin while waiters are parked, yielding the CPU each turn: it sees a HARD release's indication on its next turn
     * instead of after a timed park, but the woken waiter's own wake-up on the CPU it shares with the service
     * dominates (figures in {@code docs/BRIDGE.md}, "Benchmarks"). It keeps a whole CPU busy, though threads that need
     * that CPU get it first: only with a CPU to spare. Smaller is faster to wake and costs more CPU while waiters are
     * parked; nothing while none are (B2).
     *
     * <p>0 cannot be combined with a real-time {@link #wakeScheduling(RtScheduling)} set explicitly: under
     * {@code SCHED_FIFO} or {@code SCHED_RR} {@code sched_yield} gives way only to threads of the same priority, so a
     * spinning service would keep every lower thread of its CPU off it, the waiters it wakes included
     * (docs/ARCHITECTURE.md S4). With the default scheduling, a poll interval of 0 leaves the service's policy
     * unchanged ({@link #wakeScheduling()}); if that policy, inherited from the thread that attaches it, is real-time,
     * {@code attach} / {@code of} throw, naming it and the fix.
     *
     * @param time {@code 0 .. 1 s}.
     * @param unit unit of {@code time}.
     * @return these options.
     * @throws IllegalArgumentException if out of range, or 0 while a real-time wakeScheduling is set (naming both).
     */
    public T wakePollInterval(long time, TimeUnit unit) {
        final long nanos = OptionChecks.nanos("wakePollInterval", time, unit, 0L, OptionChecks.MAX_POLL_NANOS);
        refuseSpinningAtRealTime(nanos, wakeScheduling);
        this.wakePollNanos = nanos;
        return self();
    }

    /**
     * The scheduling the wake service applies to its own thread when it starts, before it serves anything
     * ({@code io.rtsem.core.RtThread.applyToCurrentThread}, NON_RT context: a
     * {@link RtScheduling#contextDefault() context default} means unchanged).
     *
     * <p>Default {@link SemaphoreBridge#DEFAULT_WAKE_SCHEDULING}: {@code SCHED_OTHER}, with the
     * {@link #timerSlack timer slack} option cutting its polls' slack; on the project's VM it wakes NON_RT waiters
     * sooner than a real-time service, with or without a SOFT thread's work on its CPU (docs/BRIDGE.md, "The wake
     * service's scheduling", gives the figures). To run it real-time ask for
     * {@code RtScheduling.fifo(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY)} (priority
     * {@value WakeService#REAL_TIME_PRIORITY}: above SOFT threads, {@value RtScheduling#SOFT_PRIORITY}, below HARD
     * ones, {@value RtScheduling#HARD_PRIORITY}, so that it never preempts one): STRICT makes {@code attach} /
     * {@code of} throw where the kernel refuses, naming the cause and the fix; {@code .preferred()} runs the service
     * under the policy it has and records the refusal ({@code stats().wakeServiceScheduling()} for a bridge,
     * {@code wakeServiceScheduling()} for a pool).
     *
     * @param scheduling the request, not {@code null}.
     * @return these options.
     * @throws IllegalArgumentException if {@code scheduling} is real-time while {@code wakePollInterval} is 0 (naming
     *                                  both).
     * @throws NullPointerException     if {@code scheduling} is null.
     */
    public T wakeScheduling(RtScheduling scheduling) {
        Objects.requireNonNull(scheduling, "scheduling");
        refuseSpinningAtRealTime(wakePollNanos, scheduling);
        refuseSpinWindowAtRealTime(wakeSpinNanos, scheduling);
        this.wakeScheduling = scheduling;
        return self();
    }

    /**
     * How long the wake service spins, yielding the CPU on every turn ({@code sched_yield}), when it leaves its idle
     * park because a waiter parked, before it falls back to polling every {@link #wakePollInterval} (default
     * {@link SemaphoreBridge#DEFAULT_WAKE_SPIN_NANOS}, 2 ms, where the service does not run real-time; 0: poll from the
     * start). A HARD release inside the window is seen
     * on the service's next turn and its waiter unparked at once, as a releaser's own unpark would; one after it waits
     * for the next poll (a timed park: on the project's VM about 45 µs longer than asked, docs/BRIDGE.md). The window
     * opens once per parking episode (from idle to the first waiter parked), not again while waiters stay parked, so
     * its CPU cost is bounded by the window times the rate at which waiters start parking on an idle service.
     *
     * <p>Why a window by default (measured on the project's 2-vCPU VM, docs/BRIDGE.md "The spin window" has the
     * figures): a HARD release within the window wakes the waiter about as fast as j.u.c.Semaphore's releaser, which
     * unparks it itself, and a service that polls from the start does not come close, its timed parks lasting tens of
     * microseconds longer than asked there. The cost:
     * the service's CPU for as long as a waiter waits, at most the window per parking episode, yielding to any thread
     * that wants that CPU. Its limit: a yield hands the CPU to a busy {@code SCHED_OTHER} neighbour for a scheduler
     * slice (a millisecond or so), so beside CPU-bound threads (a JIT warming up) the window has millisecond outliers;
     * and a release after the window waits for the polls. Choose 0 where CPU matters more than wake latency, or a
     * window that covers your HARD holds.
     *
     * <p>Never under a real-time policy: {@code sched_yield} under {@code SCHED_FIFO} or {@code SCHED_RR} gives way
     * only to threads of the same priority (docs/ARCHITECTURE.md S4). The default window is dropped there (a real-time
     * wakeScheduling makes {@link #wakeSpinNanos()} 0; a service that inherits a real-time policy applies none,
     * {@code stats().wakeServiceSpinWindowNanos()} says 0). A window asked for here is refused instead: together with
     * an explicit real-time wakeScheduling by this method or that one; on a service that inherits a real-time policy
     * from the thread that attaches it ({@code wakeScheduling(RtScheduling.unchanged())} from a FIFO thread), as a
     * poll interval of 0 is, {@code attach} / {@code of} throw, naming the policy and the fix.
     *
     * @param time {@code 0 .. 1 s}.
     * @param unit unit of {@code time}.
     * @return these options.
     * @throws IllegalArgumentException if out of range, or above 0 while a real-time wakeScheduling is set (naming
     *                                  both).
     */
    public T wakeSpin(long time, TimeUnit unit) {
        final long nanos = OptionChecks.nanos("wakeSpin", time, unit, 0L, OptionChecks.MAX_POLL_NANOS);
        refuseSpinWindowAtRealTime(nanos, wakeScheduling);
        this.wakeSpinNanos = nanos;
        return self();
    }

    private static void refuseSpinWindowAtRealTime(long spinNanos, RtScheduling scheduling) {
        if (spinNanos > 0
                && scheduling != null
                && scheduling.policy().map(SchedulingPolicy::isRealTime).orElse(false)) {
            throw new IllegalArgumentException("wakeSpin " + spinNanos + " ns with wakeScheduling " + scheduling
                    + ": a wake service yielding at a real-time priority yields only to threads of its own priority and"
                    + " would keep the waiters it wakes off its CPU; use wakeSpin 0 with a real-time wakeScheduling,"
                    + " or wakeScheduling(RtScheduling.other())");
        }
    }

    private static void refuseSpinningAtRealTime(long pollNanos, RtScheduling scheduling) {
        if (pollNanos == 0
                && scheduling != null
                && scheduling.policy().map(SchedulingPolicy::isRealTime).orElse(false)) {
            throw new IllegalArgumentException("wakeScheduling " + scheduling + " with wakePollInterval 0: a wake"
                    + " service spinning at a real-time priority yields only to threads of its own priority and would"
                    + " keep the waiters it wakes off its CPU; use a poll interval of at least 1 ns, or"
                    + " wakeScheduling(RtScheduling.other())");
        }
    }

    /**
     * The timer slack the wake service sets on its own thread with {@code prctl(PR_SET_TIMERSLACK)} (default
     * 1 µs; Linux's default is 50 µs, which would add up to 50 µs to every poll). 0 leaves the thread's slack as
     * inherited.
     *
     * @param time {@code 0 .. 1 s}.
     * @param unit unit of {@code time}.
     * @return these options.
     * @throws IllegalArgumentException if out of range.
     */
    public T timerSlack(long time, TimeUnit unit) {
        this.timerSlackNanos = OptionChecks.nanos("timerSlack", time, unit, 0L, OptionChecks.MAX_POLL_NANOS);
        return self();
    }

    /**
     * A name prefix for the threads (default {@code rtsem-bridge-<id>} for a bridge, {@code rtsem-pool-<id>} for a
     * pool).
     *
     * @param name the prefix.
     * @return these options.
     */
    public T name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return self();
    }

    /** @return the mode-switch policy set. */
    public final ModeSwitchPolicy modeSwitchPolicy() {
        return modeSwitchPolicy;
    }

    /** @return the wake service's poll interval set, in nanoseconds. */
    public final long wakePollNanos() {
        return wakePollNanos;
    }

    /** @return the wake service's timer slack set, in nanoseconds (0: inherited). */
    public final long timerSlackNanos() {
        return timerSlackNanos;
    }

    /**
     * The wake service's scheduling request: what {@link #wakeScheduling(RtScheduling)} set, or by default
     * {@link SemaphoreBridge#DEFAULT_WAKE_SCHEDULING} ({@code other}), or {@link RtScheduling#unchanged()}
     * while {@link #wakePollNanos()} is 0 (a spinning service stays at the policy it inherited).
     *
     * @return the request; no allocation.
     */
    public final RtScheduling wakeScheduling() {
        if (wakeScheduling != null) {
            return wakeScheduling;
        }
        return wakePollNanos == 0 ? RtScheduling.unchanged() : WakeService.DEFAULT_SCHEDULING;
    }

    /**
     * The wake service's spin window: what {@link #wakeSpin} set; else 0 with a real-time {@link #wakeScheduling()},
     * else {@link SemaphoreBridge#DEFAULT_WAKE_SPIN_NANOS}. A service that inherits a real-time policy drops the default
     * window too, when it starts.
     *
     * @return nanoseconds; no allocation.
     */
    public final long wakeSpinNanos() {
        if (wakeSpinNanos >= 0) {
            return wakeSpinNanos;
        }
        return wakeScheduling().policy().map(SchedulingPolicy::isRealTime).orElse(false)
                ? 0L
                : WakeService.DEFAULT_SPIN_NANOS;
    }

    /** @return whether {@link #wakeSpin} set the window (a real-time service refuses it) rather than the default. */
    final boolean wakeSpinAsked() {
        return wakeSpinNanos >= 0;
    }

    /** @return the thread name prefix set, or {@code null} for the generated default. */
    public final String name() {
        return name;
    }

    /**
     * Copies these shared options into {@code copy}: each product's {@code copy()} calls it for the options it does
     * not own.
     *
     * @param copy the copy being built.
     */
    protected final void copyCommonTo(CommonOptions<T> copy) {
        copy.modeSwitchPolicy = modeSwitchPolicy;
        copy.wakePollNanos = wakePollNanos;
        copy.timerSlackNanos = timerSlackNanos;
        copy.wakeScheduling = wakeScheduling;
        copy.wakeSpinNanos = wakeSpinNanos;
        copy.name = name;
    }
}
