package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NamedSemaphore against the real glibc (BRIDGE.md "Named semaphores", N1-N10): a C program compiled at test time
 * ({@link SemTool}) opens, posts and waits on the same semaphores with plain sem_open/sem_post/sem_wait. Every wait is
 * bounded by a generous timeout, so a lost wake-up fails the test instead of hanging it. The interrupt slice (N8) is
 * an hour here, except in the interrupt test: a Java sleeper that missed its wake sleeps until the test's bound.
 */
class NamedSemaphoreGlibcTest {
    private final List<String> names = new ArrayList<>();

    private String name() {
        String n = SemTool.uniqueName();
        names.add(n);
        return n;
    }

    @BeforeEach
    void sliceAtAnHour() {
        NamedSemaphore.sliceNanos = TimeUnit.HOURS.toNanos(1);
    }

    @AfterEach
    void unlinkAll() throws Exception {
        NamedSemaphore.sliceNanos = NamedSemaphore.DEFAULT_SLICE_NANOS;
        for (String n : names) {
            NamedSemaphore.unlink(n);
        }
    }

    @Test
    void layoutBytesEqualWhatGlibcWrites() throws Exception {
        String c = name();
        String java = name();
        assertEquals(0, SemTool.run("create", c, 5));
        try (NamedSemaphore ignored = NamedSemaphore.create(java, 5)) {
            byte[] glibc = Files.readAllBytes(NamedSemaphore.DIR.resolve("sem." + c));
            byte[] ours = Files.readAllBytes(NamedSemaphore.DIR.resolve("sem." + java));
            assertEquals(32, glibc.length, "glibc's sem_t is 32 bytes");
            assertEquals(5, glibc[0]);
            assertEquals((byte) 128, glibc[8], "glibc's shared marker at offset 8");
            assertArrayEquals(glibc, ours);
        }
    }

    @Test
    void cCreatesJavaOpensAndBothSeeOneValue() throws Exception {
        String n = name();
        assertEquals(0, SemTool.run("create", n, 2));
        try (NamedSemaphore sem = NamedSemaphore.open("/" + n)) {
            assertEquals(2, sem.availablePermits());
            assertTrue(sem.tryAcquire(2));
            assertFalse(sem.tryAcquire());
            assertEquals(3, SemTool.run("trywait", n), "C sees the value Java left: 0 (EAGAIN)");
            sem.release();
            assertEquals(0, SemTool.run("trywait", n));
            assertEquals(0, sem.availablePermits());
        }
    }

    @Test
    void javaCreatesCOpensPostsAndWaits() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 1)) {
            assertEquals(0, SemTool.run("wait", n));
            assertEquals(0, sem.availablePermits());
            assertEquals(0, SemTool.run("post", n));
            assertEquals(0, SemTool.run("post", n));
            assertEquals(2, sem.availablePermits());
        }
    }

    @Test
    void cSleeperIsWokenByAJavaRelease() throws Exception {
        cSleeperIsWokenByARelease(RtContext.NON_RT);
    }

    @Test
    void cSleeperIsWokenByAHardJavaReleaseThroughTheWakeService() throws Exception {
        cSleeperIsWokenByARelease(RtContext.HARD);
    }

    private void cSleeperIsWokenByARelease(RtContext releaser) throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            Process c = SemTool.start("wait", n);
            Threads.awaitTrue("the C waiter registered in nwaiters", () -> sem.registeredWaiters() == 1);
            Threads.call(releaser, () -> {
                sem.release();
                return null;
            });
            assertEquals(0, SemTool.exitOf(c, 20), "C's sem_wait returned");
            assertEquals(0, sem.availablePermits());
            assertEquals(0, sem.registeredWaiters(), "glibc took the permit and deregistered in one CAS");
        }
    }

    @Test
    void javaSleeperIsWokenByACPost() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            FutureTask<Boolean> waiter =
                    Threads.start("named-waiter", RtContext.NON_RT, () -> sem.tryAcquire(1, TimeUnit.HOURS));
            Threads.awaitTrue("the Java waiter registered", () -> sem.registeredWaiters() == 1);
            assertEquals(0, SemTool.run("post", n));
            assertTrue(waiter.get(20, TimeUnit.SECONDS));
            assertEquals(0, sem.availablePermits());
            assertEquals(0, sem.registeredWaiters());
        }
    }

    @Test
    void javaMultiPermitSleeperIsWokenByCPosts() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            FutureTask<Boolean> waiter =
                    Threads.start("named-waiter", RtContext.NON_RT, () -> sem.tryAcquire(2, 1, TimeUnit.HOURS));
            Threads.awaitTrue("the Java waiter registered", () -> sem.registeredWaiters() == 1);
            assertEquals(0, SemTool.run("post", n));
            assertEquals(0, SemTool.run("post", n));
            assertTrue(waiter.get(20, TimeUnit.SECONDS));
            assertEquals(0, sem.availablePermits());
        }
    }

    @Test
    void aMultiPermitJavaSleeperPassesOnAPostMeantForACWaiter() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            FutureTask<Boolean> big =
                    Threads.start("named-waiter-3", RtContext.NON_RT, () -> sem.tryAcquire(3, 1, TimeUnit.HOURS));
            Threads.awaitTrue("the Java waiter registered", () -> sem.registeredWaiters() == 1);
            Process c = SemTool.start("wait", n);
            Threads.awaitTrue("the C waiter registered too", () -> sem.registeredWaiters() == 2);
            assertEquals(0, SemTool.run("post", n), "one post: glibc wakes one sleeper, maybe the Java one (N9)");
            assertEquals(0, SemTool.exitOf(c, 20), "the C waiter got the permit");
            assertFalse(big.isDone());
            sem.release(3);
            assertTrue(big.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void cTimedWaitTimesOutAndDeregisters() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            assertEquals(3, SemTool.run("timedwait", n, 200), "sem_timedwait: ETIMEDOUT");
            assertEquals(0, sem.registeredWaiters());
            assertEquals(0, sem.availablePermits());
        }
    }

    @Test
    void cTimedWaitSucceedsWhenJavaReleasesInTime() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            Process c = SemTool.start("timedwait", n, 60_000);
            Threads.awaitTrue("the C waiter registered", () -> sem.registeredWaiters() == 1);
            sem.release();
            assertEquals(0, SemTool.exitOf(c, 20));
        }
    }

    @Test
    void javaTimedWaitTimesOutAndDeregisters() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            long start = System.nanoTime();
            assertFalse(sem.tryAcquire(200, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "not before its deadline");
            assertEquals(0, sem.registeredWaiters());
            assertEquals(0, SemTool.run("post", n));
            assertEquals(1, sem.availablePermits());
        }
    }

    @Test
    void interruptingAJavaSleeperMakesItLeaveDeregistered() throws Exception {
        NamedSemaphore.sliceNanos = NamedSemaphore.DEFAULT_SLICE_NANOS; // the interrupt is seen within one slice
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    sem.acquire();
                    outcome.set(new AssertionError("acquired"));
                } catch (Throwable ex) {
                    outcome.set(ex);
                }
            });
            t.setDaemon(true);
            t.start();
            Threads.awaitTrue("the Java waiter registered", () -> sem.registeredWaiters() == 1);
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(t.isAlive(), "the interrupt woke the futex sleeper");
            assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
            assertEquals(0, sem.registeredWaiters());
        }
    }

    @Test
    void hardWaiterSpinsWithoutRegisteringAndTakesACPost() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, 0)) {
            FutureTask<Boolean> hard =
                    Threads.start("named-hard", RtContext.HARD, () -> sem.tryAcquire(30, TimeUnit.SECONDS));
            Thread.sleep(50);
            assertEquals(0, sem.registeredWaiters(), "a HARD waiter never registers (N6)");
            assertEquals(0, SemTool.run("post", n));
            assertTrue(hard.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void releasePastSemValueMaxIsRefusedAndChangesNothing() throws Exception {
        String n = name();
        try (NamedSemaphore sem = NamedSemaphore.create(n, NamedSemaphore.SEM_VALUE_MAX)) {
            IllegalStateException ex = assertThrows(IllegalStateException.class, sem::release);
            assertTrue(ex.getMessage().contains("SEM_VALUE_MAX"), ex.getMessage());
            assertEquals(NamedSemaphore.SEM_VALUE_MAX, sem.availablePermits());
            assertEquals(0, sem.registeredWaiters());
        }
    }
}
