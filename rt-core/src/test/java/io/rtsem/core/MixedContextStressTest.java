package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * HARD, SOFT and NON_RT threads hammer one semaphore with random permit counts, timeouts and interrupts. Catches
 * lost permits (G2), lost wake-ups (G4-G6: a thread stuck in an untimed acquire fails the run) and over-admission.
 * Bounded: about 3 s of load, then every thread must finish within 30 s.
 */
class MixedContextStressTest {
    private static final int PERMITS = 6;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(3);

    @Test
    void permitsAreConservedUnderMixedContextsTimeoutsAndInterrupts() throws Exception {
        final RtSemaphore sem =
                RtSemaphore.builder().permits(PERMITS).maxPermits(PERMITS).build();
        final AtomicInteger inUse = new AtomicInteger();
        final AtomicInteger maxInUse = new AtomicInteger();
        final AtomicLong acquisitions = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();
        final AtomicLong interrupts = new AtomicLong();
        final long end = System.nanoTime() + RUN_NANOS;

        final List<ContextThreads.Running<Object>> workers = new ArrayList<>();
        final RtContext[] layout = {
            RtContext.HARD, RtContext.SOFT, RtContext.SOFT, RtContext.NON_RT, RtContext.NON_RT, RtContext.NON_RT
        };
        for (final RtContext context : layout) {
            workers.add(ContextThreads.start(context, () -> {
                final ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() - end < 0) {
                    final int permits = 1 + random.nextInt(3);
                    boolean got;
                    try {
                        switch (random.nextInt(4)) {
                            case 0:
                                sem.acquire(permits);
                                got = true;
                                break;
                            case 1:
                                got = sem.tryAcquire(permits, random.nextInt(200), TimeUnit.MICROSECONDS);
                                break;
                            case 2:
                                got = sem.tryAcquire(permits);
                                break;
                            default:
                                if (context == RtContext.HARD) {
                                    got = sem.tryAcquireUntil(permits, System.nanoTime() + 50_000);
                                } else {
                                    sem.acquireUninterruptibly(permits);
                                    got = true;
                                }
                                break;
                        }
                    } catch (InterruptedException ex) {
                        interrupts.incrementAndGet();
                        continue;
                    }
                    if (!got) {
                        timeouts.incrementAndGet();
                        continue;
                    }
                    final int now = inUse.addAndGet(permits);
                    maxInUse.accumulateAndGet(now, Math::max);
                    acquisitions.incrementAndGet();
                    for (int i = random.nextInt(50); i > 0; i--) {
                        Thread.onSpinWait();
                    }
                    inUse.addAndGet(-permits);
                    sem.release(permits);
                }
                Thread.interrupted(); // a late interrupt must not leak into the next test
                return null;
            }));
        }

        final Thread interrupter = new Thread(
                () -> {
                    final ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (System.nanoTime() - end < 0) {
                        final ContextThreads.Running<Object> victim =
                                workers.get(1 + random.nextInt(workers.size() - 1));
                        victim.thread.interrupt();
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException ex) {
                            return;
                        }
                    }
                },
                "interrupter");
        interrupter.setDaemon(true);
        interrupter.start();

        for (final ContextThreads.Running<Object> worker : workers) {
            worker.get(); // 30 s bound: a lost wake-up shows up here as a timeout
        }
        interrupter.join(TimeUnit.SECONDS.toMillis(30));

        assertEquals(PERMITS, sem.availablePermits(), "every permit came back: " + sem);
        assertTrue(maxInUse.get() <= PERMITS, "never more than " + PERMITS + " in use, saw " + maxInUse.get());
        for (final RtContext context : RtContext.values()) {
            assertEquals(0, sem.waiters(context), context + " waiters left behind: " + sem);
        }
        assertEquals(0, sem.parkedWaiters(), "no registration left behind: " + sem);
        assertTrue(
                acquisitions.get() > 100,
                "the run did work: " + acquisitions.get() + " acquisitions, " + timeouts.get() + " timeouts, "
                        + interrupts.get() + " interrupts");
        assertTrue(interrupts.get() > 0, "the run exercised interrupts");
    }
}
