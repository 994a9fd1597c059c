package io.rtsem.bridge;

/**
 * What a bridge does when a {@link io.rtsem.core.RtContext#HARD HARD} thread calls one of its operations that could
 * block or allocate (the Java counterpart of Xenomai's {@code PTHREAD_WARNSW}: such a call is a bug in the real-time
 * code, the moment a hard thread would fall into ordinary scheduling).
 *
 * <p>Which operations are checked is listed in each operation's javadoc ("mode-switch checked"). The check itself is
 * a type check plus, for threads that are not {@link io.rtsem.core.RtThread}s, a {@code ThreadLocal} lookup; it
 * allocates nothing unless the policy is {@link #THROW} and the check fails.
 */
public enum ModeSwitchPolicy {
    /**
     * Refuse the call: throw an {@link IllegalStateException} naming the thread and the call, before anything is
     * taken or queued. The default of {@link SemaphoreBridge}.
     */
    THROW,
    /**
     * Let the call proceed, but count it and remember the last offender (thread and call), visible through
     * {@link BridgeStats#modeSwitches()} and {@link BridgeStats#lastModeSwitch()} of a bridge's
     * {@link SemaphoreBridge#stats()} (a pool counts them in its {@code modeSwitches()}). Recording allocates
     * nothing and makes no system call.
     */
    RECORD,
    /** Let the call proceed unobserved. */
    ALLOW
}
