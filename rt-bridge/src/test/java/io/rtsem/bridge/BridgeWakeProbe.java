package io.rtsem.bridge;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child-JVM program for {@link HardReleaseThroughBridgeSyscallTest}. A NON_RT thread acquires through a bridge in a
 * loop; a HARD thread waits (spinning) until it is parked, releases one permit through the bridge, and waits until
 * the NON_RT thread has it; round after round. The semaphore's park fallback and maxBypass are one hour, so every
 * wake-up comes from the bridge's wake service. The HARD thread's measured window is bracketed by stat calls of paths
 * that do not exist ({@code /rtsem-window-begin}, {@code /rtsem-window-end}), which strace shows.
 *
 * <p>Prints {@code WINDOW <tid> <rounds> <service wakes in window>}, or {@code ERROR ...}.
 */
public final class BridgeWakeProbe {
    private BridgeWakeProbe() {}

    public static void main(String[] args) throws Exception {
        final int rounds = Integer.parseInt(args.length > 0 ? args[0] : "300");
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final AtomicLong taken = new AtomicLong();
            final Thread waiter = new Thread(
                    () -> {
                        try {
                            while (true) {
                                bridge.acquire(1);
                                taken.incrementAndGet();
                            }
                        } catch (InterruptedException ignored) {
                            // end of the run
                        }
                    },
                    "non-rt-waiter");
            waiter.setDaemon(true);
            waiter.start();

            final StringBuilder report = new StringBuilder();
            final Thread hard = new Thread(
                    () -> {
                        try (RtContext.Scope ignored = RtContext.enter(RtContext.HARD)) {
                            // Warm-up: many calls (so rounds() and its callees are compiled for normal calls, not only
                            // on-stack-replaced), then pauses so the JIT finishes what they queued: a compile request
                            // is a
                            // futex broadcast, the JVM's doing, not the bridge's (MACHINE-FACTS).
                            for (int w = 0; w < 3; w++) {
                                for (int c = 0; c < 150; c++) {
                                    rounds(bridge, sem, taken, 20);
                                }
                                Thread.sleep(200);
                            }
                            final String tid = Files.readSymbolicLink(Path.of("/proc/thread-self"))
                                    .getFileName()
                                    .toString();
                            final long wakesBefore = bridge.stats().wakeServiceWakes();
                            mark("/rtsem-window-begin");
                            final boolean ok = rounds(bridge, sem, taken, rounds);
                            mark("/rtsem-window-end");
                            report.append(
                                    ok
                                            ? "WINDOW " + tid + " " + rounds + " "
                                                    + (bridge.stats().wakeServiceWakes() - wakesBefore)
                                            : "ERROR rounds timed out");
                        } catch (IOException | InterruptedException | RuntimeException ex) {
                            report.append("ERROR ").append(ex);
                        }
                    },
                    "hard");
            hard.start();
            hard.join();
            System.out.println(report);
            waiter.interrupt();
        }
    }

    /** HARD side: spin until the waiter is parked, release, spin until it has the permit. Bounded by 30 s. */
    private static boolean rounds(SemaphoreBridge bridge, RtSemaphore sem, AtomicLong taken, int rounds) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        final long base = taken.get();
        for (int i = 0; i < rounds; i++) {
            int spins = 0;
            while (sem.parkedWaiters() == 0) {
                Thread.onSpinWait();
                if ((++spins & 1023) == 0 && System.nanoTime() - deadline > 0) {
                    return false;
                }
            }
            bridge.release(1);
            while (taken.get() != base + i + 1) {
                Thread.onSpinWait();
                if ((++spins & 1023) == 0 && System.nanoTime() - deadline > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One stat call on a path that does not exist: the window's edge in the trace. */
    private static void mark(String path) {
        if (new java.io.File(path).exists()) {
            throw new IllegalStateException(path + " must not exist");
        }
    }
}
