package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import io.rtsem.core.WaitStrategy;
import io.rtsem.latency.config.SemaphoreSpec;
import io.rtsem.latency.config.ThreadSpec;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The peer: {@code java.util.concurrent.Semaphore} (non-fair) with the scenario's initial permits, used by the same
 * threads, on the same CPUs, in the same loops as rtsem, each thread waiting on it the way it waits on rtsem: with
 * the very {@link WaitStrategy} object rtsem gives the thread's context (the scenario's {@code strategies}, or rtsem's
 * default for the context). A strategy that only spins ({@code busy-spin}, HARD's) spins on {@code tryAcquire} with
 * {@code Thread.onSpinWait()} between attempts; one that spins, yields and naps ({@code backoff}, SOFT's default)
 * drives {@link WaitStrategy#idle} between {@code tryAcquire} attempts, so the schedule of spins, yields and naps is
 * rtsem's; one that parks ({@code park}, NON_RT's default) tries {@code tryAcquire} for its spins and then calls
 * {@code acquire}, where AQS queues and parks the thread until a release unparks it. So every ratio to the peer
 * compares one semaphore with another, not spinning with park/unpark. It has no maximum, so {@code max-permits} and
 * {@code binary} are not enforced on the peer.
 */
public final class JucPeerUnderTest implements SemaphoreUnderTest {
    private final Semaphore semaphore;
    private final Map<RtContext, WaitStrategy> strategies = new EnumMap<>(RtContext.class);
    private final String description;

    /**
     * Creates the semaphore and looks up rtsem's wait strategy for each context. NON_RT; allocates.
     *
     * @param spec the scenario's semaphore options (the initial permits and the wait strategies apply)
     */
    public JucPeerUnderTest(SemaphoreSpec spec) {
        this.semaphore = new Semaphore(spec.permits(), false);
        RtSemaphore model = RtsemUnderTest.builder(spec).build(); // only read: the strategies rtsem's waiters use
        for (RtContext c : RtContext.values()) {
            strategies.put(c, model.waitStrategy(c));
        }
        this.description = "java.util.concurrent.Semaphore(permits=" + spec.permits() + ", fair=false), each context "
                + "waiting on it with rtsem's wait strategy for that context";
    }

    @Override
    public String name() {
        return "peer";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String waitStyle(RtContext context) {
        WaitStrategy w = strategies.get(context);
        if (w.spinsOnly()) {
            return "spins on tryAcquire(), Thread.onSpinWait() between attempts (" + w + ", as on rtsem)";
        }
        if (w.blocksAfter(Integer.MAX_VALUE)) {
            return "tryAcquire() while " + w + " spins, then acquire(): AQS queues the thread and parks it until a "
                    + "release unparks it";
        }
        return "tryAcquire() with " + w
                + ".idle(attempt) between attempts: spins, then yields (not under a real-time policy), then naps, on rtsem's "
                + "schedule (the same strategy object)";
    }

    @Override
    public PermitGate gateFor(ThreadSpec thread) {
        return new Gate(semaphore, strategies.get(thread.context()));
    }

    @Override
    public void unblock(int permits) {
        semaphore.release(permits);
    }

    /** Nothing to release. */
    @Override
    public void close() {}

    /**
     * One thread's way onto the peer: rtsem's wait loop around {@code tryAcquire}, with {@code acquire} where rtsem
     * would park. Spinning and backing off allocate nothing; AQS allocates a wait node when a thread has to queue.
     */
    static final class Gate implements PermitGate {
        private final Semaphore semaphore;
        private final WaitStrategy strategy;

        Gate(Semaphore semaphore, WaitStrategy strategy) {
            this.semaphore = semaphore;
            this.strategy = strategy;
        }

        /**
         * Waits as rtsem's loop does: an attempt, then the strategy's idle; the interrupt status is checked after
         * every idle that was not a cheap spin and every 64 spins, as rtsem checks it.
         */
        @Override
        public void acquire(int permits) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted before acquire(" + permits + ") on the peer");
            }
            for (int attempt = 0; ; attempt = attempt == Integer.MAX_VALUE ? attempt : attempt + 1) {
                if (semaphore.tryAcquire(permits)) {
                    return;
                }
                if (strategy.blocksAfter(attempt)) {
                    semaphore.acquire(permits);
                    return;
                }
                if ((!strategy.idle(attempt, Long.MAX_VALUE) || (attempt & 63) == 63) && Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for " + permits + " permits on the peer");
                }
            }
        }

        @Override
        public void release(int permits) {
            semaphore.release(permits);
        }

        /** @return the strategy this gate idles with (rtsem's for the thread's context). */
        WaitStrategy strategy() {
            return strategy;
        }
    }
}
