package io.rtsem.latency.run;

import io.rtsem.bridge.SemaphoreBridge;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import io.rtsem.core.WaitStrategy;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.SemaphoreSpec;
import io.rtsem.latency.config.ThreadSpec;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The subject of a run: one {@link RtSemaphore} built from the scenario's semaphore options.
 * Acquirers and releasers call it directly, so each waits the way its context waits (HARD spins,
 * SOFT spins then yields then naps, NON_RT spins briefly then parks). When the scenario has NON_RT
 * threads, an rt-bridge {@link SemaphoreBridge} is attached for the whole phase: its wake service
 * turns HARD releases into unparks of parked waiters, and bookkeepers take and give permits
 * through it, as ordinary code using rtsem would.
 */
public final class RtsemUnderTest implements SemaphoreUnderTest {
    private final RtSemaphore semaphore;
    private final SemaphoreBridge bridge;
    private final String description;

    /**
     * Builds the semaphore, and attaches a bridge (starting its wake service thread) if asked.
     * NON_RT; allocates.
     *
     * @param spec       semaphore options
     * @param withBridge attach a {@link SemaphoreBridge} (the scenario has NON_RT threads)
     */
    public RtsemUnderTest(SemaphoreSpec spec, boolean withBridge) {
        this.semaphore = builder(spec).build();
        this.bridge = withBridge
                ? SemaphoreBridge.attach(
                        semaphore,
                        spec.wakeScheduling() == null
                                ? SemaphoreBridge.options()
                                : SemaphoreBridge.options().wakeScheduling(spec.wakeScheduling()))
                : null;
        this.description = "io.rtsem.core.RtSemaphore(permits=" + spec.permits() + ", maxPermits=" + spec.maxPermits()
                + (spec.binary() ? ", binary" : "")
                + (spec.strategies().isEmpty() ? "" : ", strategies=" + spec.strategies())
                + ", maxBypass=" + spec.maxBypassNanos() / 1e3 + " us, parkFallback=" + spec.parkFallbackNanos() / 1e3
                + " us)"
                + (withBridge
                        ? " with io.rtsem.bridge.SemaphoreBridge (wake service "
                                + bridge.stats().wakeServiceScheduling() + ", spin window "
                                + bridge.stats().wakeServiceSpinWindowNanos() / 1_000 + " us)"
                        : "");
    }

    /**
     * @param spec semaphore options
     * @return a builder set up with them (the peer reads the wait strategies of a semaphore built from it). NON_RT;
     *         allocates.
     */
    static RtSemaphore.Builder builder(SemaphoreSpec spec) {
        RtSemaphore.Builder b = RtSemaphore.builder()
                .permits(spec.permits())
                .maxPermits(spec.maxPermits())
                .maxBypass(spec.maxBypassNanos(), TimeUnit.NANOSECONDS)
                .parkFallback(spec.parkFallbackNanos(), TimeUnit.NANOSECONDS);
        if (spec.binary()) {
            b = b.binary();
        }
        for (Map.Entry<RtContext, String> e : spec.strategies().entrySet()) {
            b = b.waitStrategy(e.getKey(), e.getValue());
        }
        return b;
    }

    /** Detaches the bridge (stops its threads). NON_RT; blocks until they stopped. */
    @Override
    public void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Override
    public String name() {
        return "rtsem";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String waitStyle(RtContext context) {
        WaitStrategy w = semaphore.waitStrategy(context);
        String via =
                context == RtContext.NON_RT && bridge != null ? " (bookkeepers through SemaphoreBridge.acquire())" : "";
        if (w.spinsOnly()) {
            return "acquire() spins, Thread.onSpinWait() between attempts (" + w + ")" + via;
        }
        if (w.blocksAfter(Integer.MAX_VALUE)) {
            return "acquire() spins while " + w + " spins, then parks until a release or the bridge's wake service "
                    + "unparks it (at most park-fallback)" + via;
        }
        return "acquire() with " + w
                + ".idle(attempt) between attempts: spins, then yields (not under a real-time policy), then naps" + via;
    }

    /**
     * {@inheritDoc} Two volatile reads. {0, 0} with the boost off ({@code RtSemaphore.priorityBoost()} false).
     */
    @Override
    public long[] priorityBoostCounts() {
        return new long[] {semaphore.priorityBoosts(), semaphore.priorityBoostsRefused()};
    }

    /** @return the semaphore itself (for tests). */
    public RtSemaphore semaphore() {
        return semaphore;
    }

    @Override
    public PermitGate gateFor(ThreadSpec thread) {
        if (thread.role() == Role.BOOKKEEPER && bridge != null) {
            return new BridgeGate(bridge);
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
     * The bookkeeper's way in: NON_RT code takes rtsem permits through the bridge (parks, may
     * allocate its hold ledger on first use, records hold times).
     */
    static final class BridgeGate implements PermitGate {
        private final SemaphoreBridge bridge;

        BridgeGate(SemaphoreBridge bridge) {
            this.bridge = bridge;
        }

        @Override
        public void acquire(int permits) throws InterruptedException {
            bridge.acquire(permits);
        }

        @Override
        public void release(int permits) {
            bridge.release(permits);
        }
    }
}
