package io.rtsem.bridge;

import io.rtsem.core.RtContext;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mode-switch check of one bridge or pool: applies its {@link ModeSwitchPolicy} to HARD callers of the methods
 * documented as "mode-switch checked", and keeps what {@link ModeSwitchPolicy#RECORD} records (guarantee B5,
 * {@code docs/BRIDGE.md}).
 *
 * <p><b>Internal:</b> public only so that {@code io.rtsem.pool} can use it; not part of the API, may change.
 *
 * <p>Threading: any number of threads concurrently.
 */
public final class ModeSwitchCheck {
    private final ModeSwitchPolicy policy;
    private final String owner;
    private final AtomicLong count = new AtomicLong();
    private volatile Thread lastThread;
    private volatile String lastCall;

    /**
     * A check applying {@code policy}.
     *
     * <p>NON_RT, set-up time; allocates the check.
     *
     * @param policy the policy.
     * @param owner  the class whose methods are checked, as the exception message names it ({@code "SemaphoreBridge"}).
     */
    public ModeSwitchCheck(ModeSwitchPolicy policy, String owner) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.owner = owner;
    }

    /** @return the policy. Any context; no allocation. */
    public ModeSwitchPolicy policy() {
        return policy;
    }

    /**
     * Applies the policy to the calling thread: nothing unless it is HARD and the policy is not
     * {@link ModeSwitchPolicy#ALLOW}; then {@link ModeSwitchPolicy#THROW} refuses the call and
     * {@link ModeSwitchPolicy#RECORD} counts it and remembers the thread and {@code call}.
     *
     * <p>Any context: a context lookup; under RECORD two volatile stores and one atomic increment, no allocation and
     * no system call; under THROW allocates the exception.
     *
     * @param call   the call, as the message names it (a string constant: RECORD keeps the reference).
     * @param advice what the message says after the call: why it is refused and what the HARD caller should do
     *               instead, with its leading punctuation ({@code ", which may block ...; call it from ..."}).
     * @throws IllegalStateException under THROW, naming the thread, the call and the advice.
     */
    public void check(String call, String advice) {
        if (policy == ModeSwitchPolicy.ALLOW || RtContext.current() != RtContext.HARD) {
            return;
        }
        final Thread thread = Thread.currentThread();
        if (policy == ModeSwitchPolicy.THROW) {
            throw new IllegalStateException("mode switch: HARD thread '" + thread.getName() + "' (id " + thread.getId()
                    + ") called " + owner + "." + call + advice + " (policy THROW)");
        }
        // RECORD: no allocation (a string constant and a thread reference), no system call.
        lastThread = thread;
        lastCall = call;
        count.getAndIncrement();
    }

    /** @return mode switches recorded under {@link ModeSwitchPolicy#RECORD}. Any context; one volatile read. */
    public long count() {
        return count.get();
    }

    /**
     * The last recorded mode switch, as {@code "thread 'NAME' (id N) called CALL"}, or {@code null} if none. Thread
     * and call are two fields: under concurrent mode switches they may come from different calls.
     *
     * <p>Any context; allocates the string.
     *
     * @return the description, or {@code null}.
     */
    public String last() {
        final Thread thread = lastThread;
        return thread == null
                ? null
                : "thread '" + thread.getName() + "' (id " + thread.getId() + ") called " + lastCall;
    }
}
