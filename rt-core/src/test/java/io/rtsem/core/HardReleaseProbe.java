package io.rtsem.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link HardPathSyscallTest}: a HARD thread acquires and releases a semaphore on which two
 * NON_RT waiters are parked, and a NON_RT thread uses a semaphore nobody waits on. Each measured window is bracketed
 * by an access check of a path that does not exist ({@code /rtsem-window-begin}, {@code /rtsem-window-end}), which
 * marks the window in strace's output.
 *
 * <p>Prints {@code WINDOW <name> <tid> <operations> <voluntary switches before> <after>} per window, {@link #WINDOWS}
 * windows per scenario.
 */
public final class HardReleaseProbe {
    /** Windows per scenario: the JVM itself may stop a thread once in a while (a safepoint, a compile request). */
    static final int WINDOWS = 3;

    private static volatile long cycles;

    private HardReleaseProbe() {}

    public static void main(String[] args) throws Exception {
        final long windowNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args.length > 0 ? args[0] : "300"));
        final RtSemaphore shared = RtSemaphore.builder()
                .permits(1)
                .maxPermits(10)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        final Thread[] waiters = new Thread[2];
        for (int i = 0; i < waiters.length; i++) {
            waiters[i] = new Thread(
                    () -> {
                        try {
                            shared.tryAcquire(5, 60, TimeUnit.SECONDS); // never satisfiable: stays parked
                        } catch (InterruptedException ignored) {
                            // end of the run
                        }
                    },
                    "parked-" + i);
            waiters[i].setDaemon(true);
            waiters[i].start();
        }
        while (shared.parkedWaiters() != 2) {
            Thread.sleep(1);
        }
        // A NON_RT thread that wants the permit the HARD thread keeps releasing: it parks between its turns, so HARD
        // releases find a parked waiter the permit CAN serve (a release that unparked would unpark this one).
        final Thread cycler = new Thread(
                () -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            shared.acquire();
                            cycles++;
                            shared.release();
                        }
                    } catch (InterruptedException ignored) {
                        // end of the run
                    }
                },
                "cycler");
        cycler.setDaemon(true);
        cycler.start();

        final StringBuilder hardReport = new StringBuilder();
        final Thread hard = new Thread(
                () -> {
                    try (RtContext.Scope ignored = RtContext.enter(RtContext.HARD)) {
                        warmUp(shared);
                        for (int i = 0; i < WINDOWS; i++) {
                            hardReport
                                    .append(window("hard-release-with-parked-waiters", shared, windowNanos))
                                    .append('\n');
                        }
                    } catch (Exception ex) {
                        hardReport.append("ERROR ").append(ex);
                    }
                },
                "hard");
        hard.start();
        hard.join();
        System.out.print(hardReport);
        cycler.interrupt();
        System.out.println("CYCLES " + cycles);

        final RtSemaphore quiet = new RtSemaphore(1);
        warmUp(quiet);
        for (int i = 0; i < WINDOWS; i++) {
            System.out.println(window("non-rt-release-without-waiters", quiet, windowNanos));
        }
        System.out.println("PARKED " + shared.parkedWaiters() + " PENDING_WAKE " + shared.hasPendingWake());
        for (final Thread waiter : waiters) {
            waiter.interrupt();
        }
    }

    /**
     * Calls the loop many times (20,000 calls of one block each), so that it and everything it calls is compiled by
     * C2 for a normal call, not only on-stack-replaced: tiered compilation asks for C2 only after ~5,000 calls, and
     * until then the profiled tier-3 code queues compile requests (a condition-variable broadcast, so a futex call)
     * from inside the window. That is the JVM's doing, not the semaphore's: MACHINE-FACTS warns about it, and a
     * real-time application must warm its loops up the same way.
     */
    private static void warmUp(RtSemaphore sem) throws InterruptedException {
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 10_000; i++) {
                loop(sem, 0);
                mark("/rtsem-warm-up"); // the marking code too: its first compilations must not land in the window
            }
            Thread.sleep(200); // let the compiler threads finish what the calls queued
        }
    }

    /** Runs blocks of 1,000 acquire/release and timed tryAcquire/release pairs, at least one, until nanos pass. */
    private static long loop(RtSemaphore sem, long nanos) throws InterruptedException {
        final long end = System.nanoTime() + nanos;
        long operations = 0;
        do {
            for (int i = 0; i < 1_000; i++) {
                sem.acquire();
                sem.release();
                if (sem.tryAcquire(1, 1, TimeUnit.MILLISECONDS)) {
                    sem.release();
                }
            }
            operations += 2_000;
        } while (System.nanoTime() - end < 0);
        return operations;
    }

    private static String window(String name, RtSemaphore sem, long nanos) throws IOException, InterruptedException {
        final String tid = Files.readSymbolicLink(Path.of("/proc/thread-self"))
                .getFileName()
                .toString();
        ContextThreads.voluntarySwitches(); // load and link the measuring code first: class loading takes locks (futex)
        final long before = ContextThreads.voluntarySwitches();
        mark("/rtsem-window-begin");
        final long operations = loop(sem, nanos);
        mark("/rtsem-window-end");
        final long after = ContextThreads.voluntarySwitches();
        return "WINDOW " + name + " " + tid + " " + operations + " " + before + " " + after;
    }

    /** A system call strace shows with this path: the window's edge in the trace (the file does not exist). */
    private static void mark(String path) {
        // java.io.File: one stat call and no exception (Files.isReadable throws and catches internally, and that
        // exception machinery itself queues compilations, which shows up as futex calls in the window).
        if (new java.io.File(path).exists()) {
            throw new IllegalStateException(path + " must not exist");
        }
    }
}
