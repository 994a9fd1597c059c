package io.rtsem.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.bridge.ModeSwitchPolicy;
import io.rtsem.bridge.Permit;
import io.rtsem.bridge.SemaphoreBridge;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Soak test with fault injection (issue 8), bounded in time: {@code rtsem.soak.seconds} (default 60 in the normal
 * test command; {@code ./mvnw -pl rt-bridge -am test -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Drtsem.soak.seconds=600} for the long run).
 *
 * <p>One semaphore (4 permits, park fallback an hour, max bypass 2 ms so the starving line is in play) shared by a
 * HARD thread, a SOFT thread and NON_RT threads (plain, timed, asynchronous through the bridge), and a resource pool
 * used by NON_RT threads. Faults: the bridge (and with it the wake service) is closed and attached again; waiters are
 * interrupted at random and time out; threads die holding permits (counted, since a semaphore has no undo) and
 * holding leases (the pool reclaims them); leases are transferred to a fresh thread and the sender exits at once.
 *
 * <p>Checked throughout (every millisecond): the count is between 0 and the maximum; no waiter stays parked over
 * free permits that it could take for longer than {@link #STALL_BOUND_MS} while a wake service runs (with the
 * fallback at an hour, a lost wake-up shows here). At every quiescent point (all workers paused, holding nothing):
 * permits conserved exactly (free + held by dead threads == 4), no parked or starving registration left, and every
 * lease either free or held by a thread that died holding it (reclaimed within the bookkeeping interval).
 */
class SoakTest {
    private static final int PERMITS = 4;
    private static final int RESOURCES = 3;
    private static final long STALL_BOUND_MS = 1_000;
    private static final long SECONDS = Long.getLong("rtsem.soak.seconds", 60);

    private final RtSemaphore sem = RtSemaphore.builder()
            .permits(PERMITS)
            .maxPermits(PERMITS)
            .parkFallback(1, TimeUnit.HOURS)
            .maxBypass(2, TimeUnit.MILLISECONDS)
            .build();
    private final AtomicReference<SemaphoreBridge> bridge = new AtomicReference<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicBoolean pause = new AtomicBoolean();
    private final AtomicLong paused = new AtomicLong();
    private final AtomicLong heldByDead = new AtomicLong();
    private final AtomicLong deadReserved = new AtomicLong();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong interruptsSeen = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong bridgeRestarts = new AtomicLong();
    private final AtomicLong deaths = new AtomicLong();
    private final AtomicLong transfers = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> workers = new ArrayList<>();

    @Test
    void semaphoreBridgeAndPoolSurviveFaultsWithNothingLost() throws Exception {
        bridge.set(SemaphoreBridge.attach(sem, SemaphoreBridge.options().modeSwitchPolicy(ModeSwitchPolicy.ALLOW)));
        final ResourcePool<String> pool = ResourcePool.of(
                List.of("a", "b", "c"),
                ResourcePool.options()
                        .bookkeepingInterval(5, TimeUnit.MILLISECONDS)
                        .name("soak"));
        final AtomicLong leasesHeldByDead = new AtomicLong();
        try {
            worker("hard", RtContext.HARD, this::hardCycle);
            worker("soft", RtContext.SOFT, this::softCycle);
            for (int i = 0; i < 3; i++) {
                worker("nonrt-" + i, RtContext.NON_RT, this::nonRtCycle);
            }
            worker("pool", RtContext.NON_RT, () -> poolCycle(pool, leasesHeldByDead));
            final Thread monitor = new Thread(this::monitor, "soak-monitor");
            monitor.setDaemon(true);
            monitor.start();

            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            int quiescentPoints = 0;
            while (System.nanoTime() - end < 0 && failures.isEmpty()) {
                final long phaseEnd = Math.min(end, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500));
                while (System.nanoTime() - phaseEnd < 0 && failures.isEmpty()) {
                    injectFault();
                    Thread.sleep(ThreadLocalRandom.current().nextInt(20, 200));
                }
                quiescentCheck(pool, leasesHeldByDead);
                quiescentPoints++;
            }
            stop.set(true);
            for (final Thread w : workers) {
                w.interrupt();
            }
            for (final Thread w : workers) {
                w.join(TimeUnit.SECONDS.toMillis(20));
                assertTrue(!w.isAlive(), "worker " + w.getName() + " did not stop: " + sem);
            }
            monitor.interrupt();
            assertTrue(failures.isEmpty(), "invariant broken: " + failures);
            assertTrue(quiescentPoints >= 2, "quiescent points checked: " + quiescentPoints);
            assertTrue(
                    operations.get() > 1_000
                            && interruptsSeen.get() > 0
                            && bridgeRestarts.get() > 0
                            && deaths.get() > 0
                            && transfers.get() > 0,
                    "faults injected: " + summary());
            System.out.println("soak: " + SECONDS + " s, " + quiescentPoints + " quiescent points, " + summary());
        } finally {
            stop.set(true);
            final SemaphoreBridge b = bridge.getAndSet(null);
            if (b != null) {
                b.close();
            }
            pool.close();
        }
    }

    private String summary() {
        return operations + " acquires, " + interruptsSeen + " interrupts seen, " + timeouts + " timeouts, "
                + bridgeRestarts
                + " bridge restarts, " + deaths + " deaths holding permits or leases, " + transfers
                + " transfers then exit";
    }

    /** One cycle of a worker; returns normally or throws InterruptedException (a fault). */
    @FunctionalInterface
    private interface Cycle {
        void run() throws InterruptedException;
    }

    private void worker(String name, RtContext context, Cycle cycle) {
        final Thread t = new Thread(
                () -> {
                    try (RtContext.Scope ignored = RtContext.enter(context)) {
                        while (!stop.get()) {
                            if (pause.get()) {
                                Thread.interrupted(); // a fault injected before the pause is void
                                paused.incrementAndGet();
                                while (pause.get() && !stop.get()) {
                                    LockSupport.parkNanos(100_000);
                                }
                                paused.decrementAndGet();
                                continue;
                            }
                            try {
                                cycle.run();
                            } catch (InterruptedException ex) {
                                interruptsSeen.incrementAndGet();
                            } catch (RuntimeException | Error ex) {
                                failures.add(name + ": " + ex);
                                return;
                            }
                        }
                    }
                },
                "soak-" + name);
        t.setDaemon(true);
        workers.add(t);
        t.start();
    }

    private void hold(int permits) throws InterruptedException {
        operations.incrementAndGet();
        try {
            final ThreadLocalRandom r = ThreadLocalRandom.current();
            if (r.nextInt(20) == 0) {
                Thread.sleep(0, r.nextInt(500_000));
            } else {
                Thread.onSpinWait();
            }
        } finally {
            sem.release(permits);
        }
    }

    private void hardCycle() throws InterruptedException {
        final int n = ThreadLocalRandom.current().nextInt(1, 3);
        if (sem.tryAcquire(n, 300, TimeUnit.MICROSECONDS)) {
            hold(n);
        } else {
            timeouts.incrementAndGet();
        }
        LockSupport.parkNanos(50_000); // leave the CPUs to the others between cycles (outside the semaphore)
    }

    private void softCycle() throws InterruptedException {
        if (sem.tryAcquire(1, 2, TimeUnit.MILLISECONDS)) {
            hold(1);
        } else {
            timeouts.incrementAndGet();
        }
        LockSupport.parkNanos(200_000);
    }

    private void nonRtCycle() throws InterruptedException {
        final ThreadLocalRandom r = ThreadLocalRandom.current();
        final int n = r.nextInt(1, 3);
        switch (r.nextInt(10)) {
            case 0:
                dieHolding(n);
                break;
            case 1:
                asyncCycle(n);
                break;
            case 2:
            case 3:
                if (sem.tryAcquire(n, r.nextInt(1, 5), TimeUnit.MILLISECONDS)) {
                    hold(n);
                } else {
                    timeouts.incrementAndGet();
                }
                break;
            default:
                sem.acquire(n);
                hold(n);
        }
    }

    /** A thread that takes permits and dies without releasing them: gone for good (no undo); counted. */
    private void dieHolding(int n) throws InterruptedException {
        // Reserve first (CAS), so that three racing workers can never let dead threads hold more than 2 of the 4.
        long reserved;
        do {
            reserved = deadReserved.get();
            if (reserved + n > PERMITS - 2) {
                return; // keep enough permits in play for the others
            }
        } while (!deadReserved.compareAndSet(reserved, reserved + n));
        final Thread doomed = new Thread(
                () -> {
                    try {
                        if (sem.tryAcquire(n, 50, TimeUnit.MILLISECONDS)) {
                            heldByDead.addAndGet(n);
                            deaths.incrementAndGet();
                            return;
                        }
                    } catch (InterruptedException ignored) {
                        // nothing taken
                    }
                    deadReserved.addAndGet(-n);
                },
                "soak-doomed");
        doomed.start();
        joinUninterruptibly(doomed); // its permits are counted before anybody checks them
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void asyncCycle(int n) throws InterruptedException {
        final SemaphoreBridge b = bridge.get();
        if (b == null) {
            return;
        }
        final CompletableFuture<Permit> future;
        try {
            future = b.acquireAsync(n);
        } catch (IllegalStateException closed) {
            return; // the bridge was closed between get() and the call: a fault, not a failure
        }
        try {
            final Permit p = future.get(5, TimeUnit.MILLISECONDS);
            operations.incrementAndGet();
            p.close();
        } catch (java.util.concurrent.TimeoutException ex) {
            timeouts.incrementAndGet();
            if (!future.cancel(false)) {
                closeQuietly(future); // granted meanwhile: it is ours to give back
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException ex) {
            // cancelled by a bridge close: nothing was granted
        } catch (InterruptedException ex) {
            if (!future.cancel(false)) {
                closeQuietly(future); // granted meanwhile: ours to give back, then the fault counts
            }
            throw ex;
        }
    }

    /** A future that cancel() could not cancel is done: granted (close the permit) or failed (nothing granted). */
    private static void closeQuietly(CompletableFuture<Permit> future) {
        try {
            future.join().close();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException ex) {
            // not granted after all
        }
    }

    private void poolCycle(ResourcePool<String> pool, AtomicLong leasesHeldByDead) throws InterruptedException {
        final ThreadLocalRandom r = ThreadLocalRandom.current();
        final Lease<String> lease = pool.allocate(2, TimeUnit.MILLISECONDS);
        if (lease == null) {
            timeouts.incrementAndGet();
            return;
        }
        operations.incrementAndGet();
        switch (r.nextInt(6)) {
            case 0: {
                // Transfer, then the sender exits at once; the receiver holds it a little and closes it.
                final CountDownLatch toSender = new CountDownLatch(1);
                final CountDownLatch toReceiver = new CountDownLatch(1);
                final AtomicReference<String> lost = new AtomicReference<>();
                final Thread receiver = new Thread(
                        () -> {
                            try {
                                toReceiver.await();
                                LockSupport.parkNanos(r.nextInt(2_000_000));
                                lease.close(); // fails if the bookkeeper reclaimed it from the dead sender
                            } catch (InterruptedException | RuntimeException ex) {
                                lost.set("lease transferred to a live thread was lost after the sender exited: " + ex);
                            }
                        },
                        "soak-receiver");
                final Thread sender = new Thread(
                        () -> {
                            try {
                                toSender.await();
                                lease.transferTo(receiver);
                                toReceiver.countDown();
                            } catch (InterruptedException | RuntimeException ex) {
                                lost.set("transfer failed: " + ex);
                                toReceiver.countDown();
                            }
                        },
                        "soak-sender");
                receiver.start();
                sender.start();
                lease.transferTo(sender);
                toSender.countDown();
                sender.join();
                receiver.join(TimeUnit.SECONDS.toMillis(10));
                transfers.incrementAndGet();
                if (lost.get() != null) {
                    failures.add(lost.get());
                }
                break;
            }
            case 1:
                if (leasesHeldByDead.get() < RESOURCES - 1) {
                    // The owner dies holding it: hand it to a thread that exits right after; the pool reclaims it.
                    final CountDownLatch given = new CountDownLatch(1);
                    final Thread doomed = new Thread(
                            () -> {
                                try {
                                    given.await();
                                } catch (InterruptedException ignored) {
                                    // exit all the same
                                }
                            },
                            "soak-lease-doomed");
                    doomed.start();
                    lease.transferTo(doomed);
                    given.countDown();
                    doomed.join();
                    leasesHeldByDead.incrementAndGet();
                    deaths.incrementAndGet();
                    break;
                }
                lease.close();
                break;
            default:
                try {
                    Thread.sleep(0, r.nextInt(300_000)); // an interrupt here is a fault: the lease is still closed
                } finally {
                    lease.close();
                }
        }
    }

    private void injectFault() throws InterruptedException {
        final ThreadLocalRandom r = ThreadLocalRandom.current();
        switch (r.nextInt(4)) {
            case 0:
                workers.get(r.nextInt(workers.size())).interrupt();
                break;
            case 1:
                if (r.nextInt(4) == 0) {
                    final SemaphoreBridge old = bridge.getAndSet(null);
                    if (old != null) {
                        old.close(); // no wake service now: HARD releases reach parked waiters only when it is back
                        Thread.sleep(r.nextInt(0, 30));
                        bridge.set(SemaphoreBridge.attach(
                                sem, SemaphoreBridge.options().modeSwitchPolicy(ModeSwitchPolicy.ALLOW)));
                        bridgeRestarts.incrementAndGet();
                    }
                }
                break;
            default:
                break;
        }
    }

    /**
     * Every millisecond: the count in range; and no waiter (parked, starving or spinning) left over free permits that
     * it could take for longer than {@link #STALL_BOUND_MS} while a wake service runs. The documented bound is one
     * wake-service poll plus scheduling (microseconds to milliseconds here); a second is the margin for a shared VM.
     */
    private void monitor() {
        long stallSince = 0;
        while (!stop.get() && !Thread.currentThread().isInterrupted()) {
            final int value = sem.availablePermits();
            if (value < 0 || value > PERMITS) {
                failures.add("count out of range: " + sem);
            }
            final SemaphoreBridge b = bridge.get();
            final boolean serviceRuns = b != null && b.stats().wakeServiceAlive();
            // Demands are 1 or 2: with 2 free, every waiter (parked, starving at the head, or spinning) can take.
            final boolean stalled = serviceRuns
                    && !pause.get()
                    && value >= 2
                    && (sem.parkedWaiters() > 0
                            || sem.starvingWaiters() > 0
                            || sem.waiters(RtContext.NON_RT) > 0
                            || sem.waiters(RtContext.SOFT) > 0
                            || sem.waiters(RtContext.HARD) > 0);
            final long now = System.nanoTime();
            if (!stalled) {
                stallSince = 0;
            } else if (stallSince == 0) {
                stallSince = now;
            } else if (now - stallSince > TimeUnit.MILLISECONDS.toNanos(STALL_BOUND_MS)) {
                failures.add("a waiter stayed waiting over " + value + " free permits for " + STALL_BOUND_MS
                        + " ms with a wake service running (fallback is an hour): " + sem);
                stallSince = 0;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void quiescentCheck(ResourcePool<String> pool, AtomicLong leasesHeldByDead) throws InterruptedException {
        pause.set(true);
        // No interrupts at first: every worker waits with a timeout or for permits that are free once the others
        // have paused (at most 2 of the 4 are held by dead threads), so each must reach the pause by itself. One
        // that does not is asleep over free permits: a lost wake-up (the fallback is an hour).
        final long selfDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (paused.get() < workers.size() && System.nanoTime() - selfDeadline < 0) {
            Thread.sleep(1);
        }
        if (paused.get() < workers.size()) {
            failures.add("at a quiescent point " + (workers.size() - paused.get()) + " worker(s) still waited after "
                    + "5 s with " + sem.availablePermits() + " permits free: a lost wake-up: " + sem);
            for (final Thread w : workers) {
                w.interrupt();
            }
            pause.set(false);
            return;
        }
        // Pool: every lease is free, or held by a thread that died holding it, until the bookkeeper reclaims it.
        final long reclaimDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.available() < RESOURCES && System.nanoTime() - reclaimDeadline < 0) {
            pool.syncBookkeeping();
            Thread.sleep(5);
        }
        // A release just before the pause may have woken a waiter that has not run yet (the bridge's grant thread, on
        // a busy CPU): it stays registered until it takes its permits itself (G11), and the permits may then be in
        // its hands for a moment. Such a wake-up gets the monitor's bound to land; a lost one (the fallback is an
        // hour) never does, and fails below.
        final long settleDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_BOUND_MS);
        while ((sem.parkedWaiters() != 0
                        || sem.starvingWaiters() != 0
                        || sem.waiters(RtContext.NON_RT) != 0
                        || sem.availablePermits() + heldByDead.get() != PERMITS)
                && System.nanoTime() - settleDeadline < 0) {
            Thread.sleep(1);
        }
        try {
            assertEquals(
                    PERMITS,
                    sem.availablePermits() + heldByDead.get(),
                    "permits conserved at a quiescent point (" + heldByDead + " held by dead threads): " + sem);
            assertEquals(0, sem.parkedWaiters(), "parked registrations left behind: " + sem);
            assertEquals(0, sem.starvingWaiters(), "starving registrations left behind: " + sem);
            assertEquals(
                    RESOURCES,
                    pool.available(),
                    "leases conserved (dead owners' leases reclaimed): " + pool + " holdings " + pool.holdings()
                            + " reclaims " + pool.reclaims());
        } catch (AssertionError ex) {
            failures.add(ex.getMessage());
        }
        leasesHeldByDead.set(0);
        // Give the dead threads' permits back for the next phase, as an operator would after a crash.
        final long dead = heldByDead.getAndSet(0);
        deadReserved.set(0);
        if (dead > 0) {
            sem.release((int) dead);
        }
        pause.set(false);
    }
}
