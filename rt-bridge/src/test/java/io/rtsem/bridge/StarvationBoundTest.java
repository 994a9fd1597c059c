package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import io.rtsem.core.RtThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * B4: a HARD thread that takes the only permit again the instant it releases it would starve a parked NON_RT bridge
 * caller forever without rt-core's starvation bound; with {@code maxBypass} the NON_RT caller is served every time.
 * Bounded: the HARD loop stops after 10 s at the latest; the assertions are correctness bounds, not latencies.
 */
class StarvationBoundTest {
    @Test
    void nonRtBridgeCallerIsServedUnderSaturatingHardLoad() throws Exception {
        final RtSemaphore sem = RtSemaphore.builder()
                .permits(1)
                .maxBypass(1, TimeUnit.MILLISECONDS)
                .build();
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), sem.maxBypassNanos());
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong hardCycles = new AtomicLong();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final RtThread hard = RtThread.start("hard-saturator", RtContext.HARD, RtThread.NO_PIN, () -> {
                final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                long cycles = 0;
                while (!stop.get() && System.nanoTime() - end < 0) {
                    sem.acquireUninterruptibly();
                    for (int i = 0; i < 50; i++) {
                        Thread.onSpinWait(); // hold ~1 us
                    }
                    sem.release();
                    hardCycles.lazySet(++cycles);
                }
            });
            Threads.awaitTrue("HARD loop running", () -> hardCycles.get() > 10_000);

            final long cyclesAtStart = hardCycles.get();
            final int rounds = 20;
            int served = 0;
            long worstNanos = 0;
            for (int i = 0; i < rounds; i++) {
                final long start = System.nanoTime();
                if (bridge.tryAcquire(1, 5, TimeUnit.SECONDS)) {
                    worstNanos = Math.max(worstNanos, System.nanoTime() - start);
                    served++;
                    bridge.release(1);
                }
                // Let the next round start as a waiter, not as a newcomer barging in right after its own release
                // (it may win the permit at once, round after round, and the phase ends before HARD cycles).
                Thread.sleep(1);
            }
            final long cyclesDuring = hardCycles.get() - cyclesAtStart;
            stop.set(true);
            hard.join(TimeUnit.SECONDS.toMillis(20));
            assertEquals(
                    rounds,
                    served,
                    "every NON_RT acquire was served while HARD saturated the semaphore" + " (worst wait "
                            + worstNanos / 1_000 + " us, HARD cycles " + hardCycles.get() + ")");
            assertTrue(cyclesDuring > 0, "the HARD thread kept cycling meanwhile");
            assertEquals(1, sem.availablePermits());
            System.out.println("starvation bound: " + rounds + " NON_RT acquires under HARD saturation, worst wait "
                    + worstNanos / 1_000 + " us with maxBypass 1 ms; HARD cycles " + hardCycles.get());
        }
    }
}
