package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.SemaphoreSpec;
import io.rtsem.latency.config.ThreadSpec;
import java.util.Map;

/**
 * The subject of a run: one {@link RtSemaphore} built from the scenario's semaphore options.
 * Acquirers and releasers call it directly, so each waits the way its context waits (HARD spins,
 * SOFT spins then yields then naps, NON_RT spins briefly then parks); bookkeepers use the gate
 * returned for {@link Role#BOOKKEEPER}, the NON_RT path.
 */
public final class RtsemUnderTest implements SemaphoreUnderTest {
    private final RtSemaphore semaphore;
    private final String description;

    /** Builds the semaphore. NON_RT; allocates. */
    public RtsemUnderTest(SemaphoreSpec spec) {
        RtSemaphore.Builder b = RtSemaphore.builder().permits(spec.permits()).maxPermits(spec.maxPermits());
        if (spec.binary()) {
            b = b.binary();
        }
        for (Map.Entry<RtContext, String> e : spec.strategies().entrySet()) {
            b = b.waitStrategy(e.getKey(), e.getValue());
        }
        this.semaphore = b.build();
        this.description = "io.rtsem.core.RtSemaphore(permits=" + spec.permits() + ", maxPermits=" + spec.maxPermits()
            + (spec.binary() ? ", binary" : "") + (spec.strategies().isEmpty() ? "" : ", strategies=" + spec.strategies())
            + ")";
    }

    @Override
    public String name() {
        return "rtsem";
    }

    @Override
    public String describe() {
        return description;
    }

    /** @return the semaphore itself (for tests). */
    public RtSemaphore semaphore() {
        return semaphore;
    }

    @Override
    public PermitGate gateFor(ThreadSpec thread) {
        if (thread.role() == Role.BOOKKEEPER) {
            return new BookkeeperGate(semaphore);
        }
        return new DirectGate(semaphore);
    }

    @Override
    public void unblock(int permits) {
        try {
            int room = Math.max(0, Math.min(permits, Integer.MAX_VALUE - semaphore.availablePermits()));
            semaphore.release(room);
        } catch (RuntimeException full) {
            // a capped semaphore refuses permits beyond its maximum; the threads are interrupted anyway
        }
    }

    /** Calls the semaphore directly: allocation-free if rtsem is, waits per the caller's context. */
    static final class DirectGate implements PermitGate {
        private final RtSemaphore semaphore;

        DirectGate(RtSemaphore semaphore) {
            this.semaphore = semaphore;
        }

        @Override
        public void acquire(int permits) throws InterruptedException {
            semaphore.acquire(permits);
        }

        @Override
        public void release(int permits) {
            semaphore.release(permits);
        }
    }

    /**
     * The bookkeeper's way in: NON_RT code takes rtsem permits here. Allocation and parking are
     * allowed on this path.
     */
    static final class BookkeeperGate implements PermitGate {
        private final RtSemaphore semaphore;

        BookkeeperGate(RtSemaphore semaphore) {
            this.semaphore = semaphore;
        }

        @Override
        public void acquire(int permits) throws InterruptedException {
            semaphore.acquire(permits);
        }

        @Override
        public void release(int permits) {
            semaphore.release(permits);
        }
    }
}
