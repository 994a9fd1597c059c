package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import io.rtsem.core.RtThread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE P3: a HARD waiter at FIFO never calls the kernel to boost the NON_RT holder it waits for; the bridge's
 * wake service does it for it, although no NON_RT waiter is parked (its idle park is bounded while holds are
 * recorded), and the holder is back at its own policy after its release. The holder's policy is read from
 * {@code /proc/self/task/<tid>/stat}.
 */
class HardWaiterBoostThroughBridgeTest {
    private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void theWakeServiceBoostsTheHolderOfAHardWaiterAndItIsRestoredWhenItReleases() throws Exception {
        // Explicitly on (P1): the holder takes its permit before any real-time thread of this JVM exists.
        final RtSemaphore sem =
                RtSemaphore.builder().permits(1).priorityBoost(true).build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final CountDownLatch holding = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch released = new CountDownLatch(1);
            final CountDownLatch end = new CountDownLatch(1);
            final long[] tid = new long[1];
            final Thread holder = new Thread(
                    () -> {
                        try {
                            tid[0] = currentTid();
                            bridge.acquire(1);
                            holding.countDown();
                            release.await();
                            bridge.release(1);
                            released.countDown();
                            end.await(); // alive until its policy is read
                        } catch (Exception ex) {
                            throw new IllegalStateException(ex);
                        }
                    },
                    "non-rt-holder");
            holder.setDaemon(true);
            holder.start();
            assertTrue(holding.await(20, TimeUnit.SECONDS));
            assertEquals(0, policy(tid[0])[0], "the holder starts at SCHED_OTHER");

            final CompletableFuture<Boolean> got = new CompletableFuture<>();
            // Pinned, FIFO asked explicitly (RT throttling keeps HARD's default at SCHED_OTHER here); it waits at
            // most 10 s, so RT throttling bounds what it takes from CPU 1's other threads.
            RtThread.start("hard-fifo-waiter", RtContext.HARD, 1, RtScheduling.fifo(RtScheduling.HARD_PRIORITY), () -> {
                try {
                    got.complete(sem.tryAcquire(10, TimeUnit.SECONDS));
                } catch (Throwable ex) {
                    got.completeExceptionally(ex);
                }
            });
            awaitPolicy(tid[0], 1, RtScheduling.HARD_PRIORITY, "P3: boosted by the wake service");
            assertEquals(0, sem.parkedWaiters(), "no NON_RT waiter was parked: the idle service served the request");
            release.countDown();
            assertTrue(released.await(20, TimeUnit.SECONDS));
            assertTrue(got.get(20, TimeUnit.SECONDS), "the HARD waiter got the permit");
            awaitPolicy(tid[0], 0, 0, "P4: back to SCHED_OTHER after its release");
            assertTrue(sem.priorityBoosts() >= 1);
            end.countDown();
            holder.join(TimeUnit.SECONDS.toMillis(20));
        }
    }

    private static long currentTid() throws Exception {
        final String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
    }

    /** @return {policy, rt_priority} of thread {@code tid}, fields 41 and 40 of its stat line. */
    private static int[] policy(long tid) throws Exception {
        final String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new int[] {Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3])};
    }

    private static void awaitPolicy(long tid, int policy, int priority, String why) throws Exception {
        final long end = System.nanoTime() + LIMIT_NANOS;
        int[] last;
        do {
            last = policy(tid);
            if (last[0] == policy && last[1] == priority) {
                return;
            }
            Thread.sleep(1);
        } while (System.nanoTime() - end < 0);
        fail(why + ": thread " + tid + " has policy " + last[0] + ", rt_priority " + last[1] + "; expected " + policy
                + ", " + priority);
    }
}
