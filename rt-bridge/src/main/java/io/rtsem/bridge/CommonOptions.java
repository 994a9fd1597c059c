package io.rtsem.bridge;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The options a {@link SemaphoreBridge} and an {@code io.rtsem.pool.ResourcePool} share: the mode-switch policy, their
 * wake service's poll interval and timer slack, and the name prefix of their threads. Each product's {@code Options}
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
    private String name;

    /**
     * Options with the product's default policy and the shared defaults: poll every 20 µs
     * ({@link SemaphoreBridge#DEFAULT_WAKE_POLL_NANOS}), timer slack 1 µs
     * ({@link SemaphoreBridge#DEFAULT_TIMER_SLACK_NANOS}), a generated name.
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
     * @param time {@code 0 .. 1 s}.
     * @param unit unit of {@code time}.
     * @return these options.
     * @throws IllegalArgumentException if out of range.
     */
    public T wakePollInterval(long time, TimeUnit unit) {
        this.wakePollNanos = OptionChecks.nanos("wakePollInterval", time, unit, 0L, OptionChecks.MAX_POLL_NANOS);
        return self();
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
        copy.name = name;
    }
}
