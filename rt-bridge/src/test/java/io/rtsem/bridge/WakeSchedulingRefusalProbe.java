package io.rtsem.bridge;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link WakeServiceSchedulingTest}, run without CAP_SYS_NICE and with RLIMIT_RTPRIO 0. With
 * {@code args[0]} = "prefer" it attaches a bridge asking for {@code fifo:45/prefer} and prints what the service got
 * ({@code APPLIED}, {@code ASREQUESTED}, {@code KERNEL} from /proc), then has a HARD release wake a parked NON_RT
 * waiter through that service, every fallback at an hour ({@code WOKEN}), and what a default bridge's service got
 * ({@code DEFAULT}). With "strict" it attaches with
 * {@code wakeScheduling(RtScheduling.fifo(45))} and prints {@code REFUSED <message>} or {@code ATTACHED}, then
 * {@code WAKER} (whether anything is left attached to the semaphore), {@code THREADS} (the bridge's threads still in
 * /proc) and {@code REATTACHED} (a default bridge can attach afterwards).
 */
public final class WakeSchedulingRefusalProbe {
    private WakeSchedulingRefusalProbe() {}

    public static void main(String[] args) throws Exception {
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        if (args[0].equals("prefer")) {
            try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                    sem,
                    SemaphoreBridge.options()
                            .name("wsr")
                            .wakeScheduling(RtScheduling.fifo(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY)
                                    .preferred()))) {
                final AppliedScheduling applied = bridge.stats().wakeServiceScheduling();
                System.out.println("APPLIED " + applied);
                System.out.println("ASREQUESTED " + applied.asRequested() + " POLICY " + applied.policy());
                System.out.println("KERNEL " + KernelThreadStat.single("wsr-wake"));
                final FutureTask<Boolean> waiter = Threads.start("waiter", RtContext.NON_RT, () -> {
                    bridge.acquire(1);
                    return true;
                });
                Threads.awaitTrue("waiter parked", () -> sem.parkedWaiters() == 1);
                Threads.call(RtContext.HARD, () -> {
                    sem.release(1);
                    return null;
                });
                System.out.println("WOKEN " + waiter.get(20, TimeUnit.SECONDS) + " by the service "
                        + (bridge.stats().wakeServiceWakes() >= 1));
            }
            try (SemaphoreBridge bridge = SemaphoreBridge.attach(new RtSemaphore(0))) {
                System.out.println("DEFAULT " + bridge.stats().wakeServiceScheduling());
            }
            return;
        }
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                sem, SemaphoreBridge.options().name("wss").wakeScheduling(RtScheduling.fifo(45)))) {
            System.out.println("ATTACHED " + bridge.stats().wakeServiceScheduling());
        } catch (IllegalStateException ex) {
            System.out.println("REFUSED " + ex.getMessage());
        }
        System.out.println("WAKER " + (sem.deferredWaker() == null ? "none" : sem.deferredWaker()));
        // a joined thread's kernel task leaves /proc a moment later: look for up to 5 s before reporting
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((!KernelThreadStat.named("wss-wake").isEmpty()
                        || !KernelThreadStat.named("wss-grant").isEmpty())
                && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        System.out.println("THREADS " + KernelThreadStat.named("wss-wake").size() + " wake, "
                + KernelThreadStat.named("wss-grant").size() + " grant");
        try (SemaphoreBridge again = SemaphoreBridge.attach(sem)) {
            System.out.println("REATTACHED " + again.stats().wakeServiceAlive());
        }
    }
}
