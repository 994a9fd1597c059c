package io.rtsem.core;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Child-JVM program for {@link FirstUseAllocationTest}: in a fresh JVM (so no other test has run the semaphore's
 * code yet), a HARD thread makes its very first calls of every HARD path (failed and successful tryAcquire, a
 * contended acquire that spins until another thread releases, a timed acquire that times out, a wait long enough to
 * become starving (G8), a release that finds a parked NON_RT waiter) and prints the bytes it allocated meanwhile as
 * {@code BYTES <name> <n>}, one line per step.
 */
public final class FirstUseAllocationProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static volatile boolean waiting;

    private FirstUseAllocationProbe() {}

    public static void main(String[] args) throws Exception {
        // Set-up (allowed to allocate): the semaphores, a parked NON_RT waiter, a helper that releases on demand.
        final RtSemaphore sem = new RtSemaphore(0);
        final RtSemaphore starving =
                RtSemaphore.builder().maxBypass(20, TimeUnit.MICROSECONDS).build();
        // An hour's park fallback: the parked waiter never consumes the HARD release's wake indication itself.
        final RtSemaphore shared = RtSemaphore.builder()
                .permits(1)
                .maxPermits(10)
                .maxBypass(1, TimeUnit.HOURS)
                .parkFallback(1, TimeUnit.HOURS)
                .build();
        final Thread parked = new Thread(
                () -> {
                    try {
                        shared.tryAcquire(5, 60, TimeUnit.SECONDS); // never satisfiable: stays parked
                    } catch (InterruptedException ignored) {
                        // end of the run
                    }
                },
                "parked");
        parked.setDaemon(true);
        parked.start();
        while (shared.parkedWaiters() != 1) {
            Thread.sleep(1);
        }
        final Thread releaser = new Thread(
                () -> {
                    while (!waiting) {
                        Thread.onSpinWait();
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                    sem.release();
                },
                "releaser");
        releaser.setDaemon(true);
        releaser.start();

        final StringBuilder out = new StringBuilder();
        final Thread hard = new Thread(
                () -> {
                    try (RtContext.Scope ignored = RtContext.enter(RtContext.HARD)) {
                        final long[] bytes = new long[7];
                        allocated(); // the reading's own first-call cost stays out of the figures
                        long mark = allocated();
                        final boolean failedTry = sem.tryAcquire();
                        bytes[0] = allocated() - mark;

                        mark = allocated();
                        waiting = true;
                        sem.acquire(); // spins until the releaser's release, ~2 ms later
                        bytes[1] = allocated() - mark;

                        mark = allocated();
                        final boolean timedOut = !sem.tryAcquire(1, 200, TimeUnit.MICROSECONDS);
                        bytes[2] = allocated() - mark;

                        mark = allocated();
                        final boolean starvedOut = !starving.tryAcquire(1, 500, TimeUnit.MICROSECONDS);
                        bytes[3] = allocated() - mark;

                        mark = allocated();
                        final boolean took = shared.tryAcquire();
                        shared.release(); // finds the parked waiter: a wake indication, no unpark
                        bytes[4] = allocated() - mark;

                        mark = allocated();
                        sem.release(1);
                        final boolean tookAgain = sem.tryAcquire(1);
                        bytes[5] = allocated() - mark;

                        mark = allocated();
                        final int drained = sem.drainPermits() + sem.availablePermits() + sem.waiters(RtContext.NON_RT);
                        bytes[6] = allocated() - mark;

                        final String[] names = {
                            "failed-tryAcquire",
                            "contended-acquire",
                            "timed-out-acquire",
                            "starving-timed-out-acquire",
                            "release-finding-parked-waiter",
                            "release-and-tryAcquire",
                            "drain-and-inspect"
                        };
                        for (int i = 0; i < names.length; i++) {
                            out.append("BYTES ")
                                    .append(names[i])
                                    .append(' ')
                                    .append(bytes[i])
                                    .append('\n');
                        }
                        final boolean[] checks = {
                            !failedTry, timedOut, starvedOut, took, tookAgain, drained == 0, shared.hasPendingWake()
                        };
                        boolean all = true;
                        for (final boolean check : checks) {
                            all &= check;
                        }
                        out.append("CHECK ")
                                .append(all)
                                .append(' ')
                                .append(java.util.Arrays.toString(checks))
                                .append('\n');
                    } catch (InterruptedException ex) {
                        out.append("INTERRUPTED\n");
                    }
                },
                "hard");
        hard.start();
        hard.join(TimeUnit.SECONDS.toMillis(30));
        System.out.print(out);
        parked.interrupt();
    }

    private static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
