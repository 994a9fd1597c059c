package io.rtsem.core;

/**
 * Receives the wake-ups a {@code HARD} release must not perform itself: the extension point through which a wake
 * service (rt-bridge's {@code SemaphoreBridge}) turns the semaphore's wake indications into prompt unparks.
 *
 * <p>Contract (see {@code docs/ARCHITECTURE.md}, G3 to G5): a HARD releaser that finds parked waiters only sets the
 * semaphore's wake indication ({@link RtSemaphore#hasPendingWake()}). The waker is told when a waiter starts to
 * park, so that it can sleep without polling while nobody is parked, and poll the indication (and call
 * {@link RtSemaphore#wakeParkedWaiters()}) while somebody is. If the waker is slow or dead, nothing is lost: every
 * parked waiter wakes by itself after the semaphore's park fallback.
 */
public interface DeferredWaker {
    /**
     * Called by a waiter that has registered for a wake-up and is about to park on {@code semaphore}, once per
     * blocking acquire. Called in {@code NON_RT} context (the parking thread's): it may unpark the service thread,
     * but must not block for long or throw.
     *
     * @param semaphore the semaphore the waiter parks on.
     */
    void waiterParking(RtSemaphore semaphore);
}
