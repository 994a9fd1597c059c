package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.core.WaitStrategy;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.SemaphoreSpec;
import io.rtsem.latency.config.ThreadSpec;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The peer waits the way rtsem waits: each context's gate drives the very wait strategy rtsem gives that context, so
 * a HARD waiter spins on {@code tryAcquire} (never parks), a SOFT one backs off on rtsem's schedule (and naps once its
 * spins and yields are spent), a NON_RT one parks in {@code acquire()}. Thread states are polled for at most 5 s.
 */
class PeerWaitTest {
    private static final SemaphoreSpec DEFAULTS = new SemaphoreSpec(
            0, 1, false, Map.of(), SemaphoreSpec.DEFAULT_MAX_BYPASS_NANOS, SemaphoreSpec.DEFAULT_PARK_FALLBACK_NANOS);

    private static ThreadSpec spec(RtContext c) {
        return new ThreadSpec(
                "t",
                c,
                RtThread.NO_PIN,
                c == RtContext.NON_RT ? Role.BOOKKEEPER : Role.ACQUIRER,
                1_000_000L,
                1,
                0,
                true,
                0);
    }

    @Test
    void eachContextUsesRtsemsOwnStrategyObject() {
        SemaphoreSpec tuned = new SemaphoreSpec(
                0,
                1,
                false,
                Map.of(RtContext.SOFT, "park", RtContext.NON_RT, "backoff"),
                SemaphoreSpec.DEFAULT_MAX_BYPASS_NANOS,
                SemaphoreSpec.DEFAULT_PARK_FALLBACK_NANOS);
        for (SemaphoreSpec sem : new SemaphoreSpec[] {DEFAULTS, tuned}) {
            JucPeerUnderTest peer = new JucPeerUnderTest(sem);
            try (RtsemUnderTest rtsem = new RtsemUnderTest(sem, false)) {
                for (RtContext c : RtContext.values()) {
                    assertSame(
                            rtsem.semaphore().waitStrategy(c),
                            ((JucPeerUnderTest.Gate) peer.gateFor(spec(c))).strategy(),
                            c + " with " + sem.strategies());
                }
            }
        }
        JucPeerUnderTest peer = new JucPeerUnderTest(DEFAULTS);
        assertTrue(
                peer.waitStyle(RtContext.HARD).startsWith("spins on tryAcquire(), Thread.onSpinWait()"),
                peer.waitStyle(RtContext.HARD));
        assertTrue(
                peer.waitStyle(RtContext.SOFT).startsWith("tryAcquire() with backoff(spins=10000, yields=10"),
                peer.waitStyle(RtContext.SOFT));
        assertTrue(
                peer.waitStyle(RtContext.NON_RT).startsWith("tryAcquire() while park(spins=100) spins, then acquire()"),
                peer.waitStyle(RtContext.NON_RT));
    }

    @Test
    void hardSpinsSoftNapsNonRtParks() throws InterruptedException {
        JucPeerUnderTest peer = new JucPeerUnderTest(DEFAULTS); // no permit: every waiter waits
        Waiter hard = new Waiter(peer.gateFor(spec(RtContext.HARD)));
        Waiter soft = new Waiter(peer.gateFor(spec(RtContext.SOFT)));
        Waiter nonRt = new Waiter(peer.gateFor(spec(RtContext.NON_RT)));
        try {
            assertTrue(nonRt.reaches(Thread.State.WAITING), "NON_RT parks in acquire(): " + nonRt.thread.getState());
            assertTrue(soft.reaches(Thread.State.TIMED_WAITING), "SOFT naps once its spins and yields are spent");
            for (int i = 0; i < 200; i++) {
                Thread.State s = hard.thread.getState();
                assertEquals(Thread.State.RUNNABLE, s, "HARD spins: never parked");
                Thread.sleep(1);
            }
            peer.unblock(3);
            for (Waiter w : new Waiter[] {hard, soft, nonRt}) {
                w.thread.join(5_000);
                assertEquals(Boolean.TRUE, w.got.get(), "each waiter got its permit once released");
            }
        } finally {
            for (Waiter w : new Waiter[] {hard, soft, nonRt}) {
                w.thread.interrupt();
                w.thread.join(5_000);
            }
        }
    }

    @Test
    void aSpinningWaiterLeavesOnInterrupt() throws InterruptedException {
        JucPeerUnderTest peer = new JucPeerUnderTest(DEFAULTS);
        Waiter hard = new Waiter(peer.gateFor(spec(RtContext.HARD)));
        Thread.sleep(20);
        hard.thread.interrupt();
        hard.thread.join(5_000);
        assertTrue(!hard.thread.isAlive() && hard.got.get() == Boolean.FALSE, "interrupted, without a permit");
    }

    @Test
    void theGateIdlesAsTheStrategySaysThenBlocksInAcquire() throws InterruptedException {
        AtomicInteger idles = new AtomicInteger();
        WaitStrategy fiveThenPark = new WaitStrategy() {
            @Override
            public boolean idle(int attempt, long maxIdleNanos) {
                assertEquals(idles.getAndIncrement(), attempt, "attempts counted from 0");
                assertEquals(Long.MAX_VALUE, maxIdleNanos, "no deadline");
                return true;
            }

            @Override
            public boolean blocksAfter(int attempt) {
                return attempt >= 5;
            }

            @Override
            public boolean spinsOnly() {
                return false;
            }

            @Override
            public String alias() {
                return "test";
            }
        };
        Semaphore s = new Semaphore(0);
        Waiter w = new Waiter(new JucPeerUnderTest.Gate(s, fiveThenPark));
        try {
            assertTrue(w.reaches(Thread.State.WAITING), "parked in acquire() after five idles");
            assertEquals(5, idles.get());
            s.release();
            w.thread.join(5_000);
            assertEquals(Boolean.TRUE, w.got.get());
        } finally {
            w.thread.interrupt();
            w.thread.join(5_000);
        }
    }

    /** A thread that takes one permit through a gate. */
    private static final class Waiter {
        final AtomicReference<Boolean> got = new AtomicReference<>();
        final Thread thread;

        Waiter(PermitGate gate) {
            thread = new Thread(
                    () -> {
                        try {
                            gate.acquire(1);
                            got.set(true);
                        } catch (InterruptedException e) {
                            got.set(false);
                        }
                    },
                    "peer-waiter");
            thread.setDaemon(true);
            thread.start();
        }

        boolean reaches(Thread.State state) throws InterruptedException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (thread.getState() == state) {
                    return true;
                }
                Thread.sleep(1);
            }
            return false;
        }
    }
}
