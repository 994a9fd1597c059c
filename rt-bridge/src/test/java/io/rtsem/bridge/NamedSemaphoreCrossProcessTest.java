package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several processes on one named semaphore (BRIDGE.md N1-N4, "What a holder's death does"): two child JVMs and a C
 * program contend for a binary semaphore; a sleeper killed with SIGKILL leaves only a stale waiter count.
 */
class NamedSemaphoreCrossProcessTest {
    private final String name = SemTool.uniqueName();

    @BeforeEach
    void sliceAtAnHour() {
        NamedSemaphore.sliceNanos = TimeUnit.HOURS.toNanos(1); // this JVM's sleepers: a lost wake is a hang (N8)
    }

    @AfterEach
    void unlink() throws Exception {
        NamedSemaphore.sliceNanos = NamedSemaphore.DEFAULT_SLICE_NANOS;
        NamedSemaphore.unlink(name);
    }

    private Process childJvm(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                NamedSemaphoreChild.class.getName(),
                name));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "child JVM opened the semaphore");
        return p;
    }

    @Test
    void twoJvmsAndACProgramShareOneBinarySemaphoreForAMillionPairs() throws Exception {
        try (NamedSemaphore sem = NamedSemaphore.create(name, 0)) {
            Process jvm1 = childJvm("loop", "350000");
            Process jvm2 = childJvm("loop", "350000");
            Process c = SemTool.start("loop", name, 300_000);
            // All three asleep on their first acquire, so the loops start together when the permit comes.
            Threads.awaitTrue("all three processes registered", () -> sem.registeredWaiters() == 3);
            sem.release();
            assertEquals(0, SemTool.exitOf(c, 300), "C's 300,000 sem_wait/sem_post pairs");
            assertEquals(0, SemTool.exitOf(jvm1, 300), "JVM 1's 350,000 pairs");
            assertEquals(0, SemTool.exitOf(jvm2, 300), "JVM 2's 350,000 pairs");
            assertEquals(1, sem.availablePermits(), "10^6 pairs in all: the value is exactly the initial one");
            assertEquals(0, sem.registeredWaiters(), "every sleeper deregistered");
        }
    }

    @Test
    void aCSleeperKilledWithSigkillLeavesTheSemaphoreUsable() throws Exception {
        try (NamedSemaphore sem = NamedSemaphore.create(name, 0)) {
            Process c = SemTool.start("wait", name);
            Threads.awaitTrue("the C waiter registered", () -> sem.registeredWaiters() == 1);
            c.destroyForcibly(); // SIGKILL
            assertTrue(c.waitFor(20, TimeUnit.SECONDS));
            assertEquals(1, sem.registeredWaiters(), "the dead sleeper's count stays: no undo");
            sem.release(); // one spurious FUTEX_WAKE, nothing else
            assertEquals(1, sem.availablePermits());
            assertEquals(0, SemTool.run("trywait", name));
            stillWakesBothWays(sem, 1);
        }
    }

    @Test
    void aJvmSleeperKilledWithSigkillLeavesTheSemaphoreUsable() throws Exception {
        try (NamedSemaphore sem = NamedSemaphore.create(name, 0)) {
            Process jvm = childJvm("acquire");
            Threads.awaitTrue("the child JVM's waiter registered", () -> sem.registeredWaiters() == 1);
            jvm.destroyForcibly();
            assertTrue(jvm.waitFor(20, TimeUnit.SECONDS));
            assertEquals(1, sem.registeredWaiters(), "the dead sleeper's count stays: no undo");
            stillWakesBothWays(sem, 1);
        }
    }

    /** A Java NON_RT sleeper is woken by a C post, a C sleeper by a Java release, with {@code stale} dead counts. */
    private void stillWakesBothWays(NamedSemaphore sem, int stale) throws Exception {
        FutureTask<Boolean> waiter =
                Threads.start("named-waiter", RtContext.NON_RT, () -> sem.tryAcquire(1, TimeUnit.HOURS));
        Threads.awaitTrue("the Java waiter registered", () -> sem.registeredWaiters() == stale + 1);
        assertEquals(0, SemTool.run("post", name));
        assertTrue(waiter.get(20, TimeUnit.SECONDS));
        Process c = SemTool.start("wait", name);
        Threads.awaitTrue("the C waiter registered", () -> sem.registeredWaiters() == stale + 1);
        sem.release();
        assertEquals(0, SemTool.exitOf(c, 20));
        assertEquals(0, sem.availablePermits());
        assertEquals(stale, sem.registeredWaiters());
    }
}
