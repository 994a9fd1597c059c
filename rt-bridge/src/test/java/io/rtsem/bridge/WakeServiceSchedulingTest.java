package io.rtsem.bridge;

import static io.rtsem.bridge.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import io.rtsem.core.SchedulingPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The wake service's own scheduling (docs/BRIDGE.md, "The wake service's scheduling"), checked against what the
 * kernel reports in {@code /proc/self/task/<tid>/stat}, not against the bridge's bookkeeping. The refusals run in a
 * child JVM without CAP_SYS_NICE, as rt-core's RtThreadSchedulingTest does.
 */
class WakeServiceSchedulingTest {
    @Test
    void theRealTimePriorityIsAboveSoftAndBelowHardAndTheDefaultIsOther() {
        assertTrue(
                RtScheduling.SOFT_PRIORITY < SemaphoreBridge.REAL_TIME_WAKE_PRIORITY
                        && SemaphoreBridge.REAL_TIME_WAKE_PRIORITY < RtScheduling.HARD_PRIORITY,
                "SOFT " + RtScheduling.SOFT_PRIORITY + " < wake " + SemaphoreBridge.REAL_TIME_WAKE_PRIORITY + " < HARD "
                        + RtScheduling.HARD_PRIORITY);
        assertEquals(RtScheduling.other(), SemaphoreBridge.DEFAULT_WAKE_SCHEDULING);
        assertEquals(
                SemaphoreBridge.DEFAULT_WAKE_SCHEDULING,
                SemaphoreBridge.options().wakeScheduling());
    }

    @Test
    void byDefaultTheServiceRunsOtherWithItsSlackAndTheGrantThreadIsLeftAlone() throws Exception {
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                new RtSemaphore(0), SemaphoreBridge.options().name("wsd"))) {
            final KernelThreadStat kernel = KernelThreadStat.single("wsd-wake");
            assertEquals(KernelThreadStat.OTHER, kernel.policy, kernel.toString());
            final AppliedScheduling applied = bridge.stats().wakeServiceScheduling();
            assertEquals(SemaphoreBridge.DEFAULT_WAKE_SCHEDULING, applied.requested(), applied.toString());
            assertEquals(SchedulingPolicy.OTHER, applied.policy(), applied.toString());
            assertTrue(applied.asRequested() && applied.note().isEmpty(), applied.toString());
            assertEquals(1_000L, bridge.stats().wakeServiceTimerSlackNanos(), "the slack is for SCHED_OTHER");
            assertEquals(KernelThreadStat.OTHER, KernelThreadStat.single("wsd-grant").policy, "the grant thread");
        }
        // close() joins the Java thread; its kernel task leaves /proc a moment later (at SCHED_OTHER on a busy CPU,
        // not always before close() returns): wait for it, bounded, rather than read it once
        Threads.awaitTrue("closed: the service's kernel thread has ended", () -> noKernelThread("wsd-wake"));
    }

    @Test
    void askedRealTimeTheServiceRunsFifoAtTheRealTimePriority() throws Exception {
        final RtScheduling realTime =
                RtScheduling.fifo(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY).preferred();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                new RtSemaphore(0), SemaphoreBridge.options().name("wsq").wakeScheduling(realTime))) {
            final KernelThreadStat kernel = KernelThreadStat.single("wsq-wake");
            assertEquals(KernelThreadStat.FIFO, kernel.policy, kernel.toString());
            assertEquals(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY, kernel.rtPriority, kernel.toString());
            final AppliedScheduling applied = bridge.stats().wakeServiceScheduling();
            assertEquals(realTime, applied.requested(), applied.toString());
            assertEquals(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY, applied.priority(), applied.toString());
            assertTrue(bridge.stats().toString().contains("wakeServiceScheduling=asked fifo:45/prefer, runs fifo:45"));
        }
    }

    @Test
    void anExplicitRequestIsApplied() throws Exception {
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                new RtSemaphore(0), SemaphoreBridge.options().name("wso").wakeScheduling(RtScheduling.other()))) {
            assertEquals(KernelThreadStat.OTHER, KernelThreadStat.single("wso-wake").policy);
            assertEquals(
                    SchedulingPolicy.OTHER,
                    bridge.stats().wakeServiceScheduling().policy());
            assertEquals(1_000L, bridge.stats().wakeServiceTimerSlackNanos(), "the slack is for SCHED_OTHER");
        }
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                new RtSemaphore(0),
                SemaphoreBridge.options().name("wsf").wakeScheduling(RtScheduling.parse("fifo:3")))) {
            final KernelThreadStat kernel = KernelThreadStat.single("wsf-wake");
            assertEquals(KernelThreadStat.FIFO, kernel.policy, kernel.toString());
            assertEquals(3, kernel.rtPriority, kernel.toString());
            assertTrue(bridge.stats().wakeServiceScheduling().asRequested());
        }
    }

    @Test
    void aSpinningServiceKeepsItsPolicyAndMayNotBeAskedToSpinAtRealTime() throws Exception {
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                new RtSemaphore(0), SemaphoreBridge.options().name("wsz").wakePollInterval(0, TimeUnit.NANOSECONDS))) {
            assertEquals(KernelThreadStat.OTHER, KernelThreadStat.single("wsz-wake").policy, "inherited");
            assertEquals(
                    RtScheduling.unchanged(),
                    bridge.stats().wakeServiceScheduling().requested());
        }
        refused(
                IllegalArgumentException.class,
                "wakeScheduling fifo:45 with wakePollInterval 0",
                () -> SemaphoreBridge.options()
                        .wakePollInterval(0, TimeUnit.NANOSECONDS)
                        .wakeScheduling(RtScheduling.fifo(45)));
        refused(
                IllegalArgumentException.class,
                "wakeScheduling rr:7/prefer with wakePollInterval 0",
                () -> SemaphoreBridge.options()
                        .wakeScheduling(RtScheduling.rr(7).preferred())
                        .wakePollInterval(0, TimeUnit.NANOSECONDS));
        assertThrows(NullPointerException.class, () -> SemaphoreBridge.options().wakeScheduling(null));
        // Not real-time: accepted with a spinning service.
        SemaphoreBridge.options().wakePollInterval(0, TimeUnit.NANOSECONDS).wakeScheduling(RtScheduling.other());
    }

    /**
     * Without CAP_SYS_NICE (bounding set) and with RLIMIT_RTPRIO 0, in a child JVM: a PREFER request for FIFO 45
     * records the refusal and the service still serves; a STRICT request makes attach throw with the cause and the
     * fix, leaving nothing attached or running; the default (SCHED_OTHER) needs nothing.
     */
    @Test
    void aRefusedWakeSchedulingIsRecordedUnderPreferAndLoudUnderStrict() throws Exception {
        final String prefer = runWithoutSysNice("prefer");
        assertTrue(
                prefer.contains("APPLIED asked fifo:45/prefer, runs other (sched_setscheduler(tid ")
                        && prefer.contains("EPERM")
                        && prefer.contains("lacks CAP_SYS_NICE"),
                prefer);
        assertTrue(prefer.contains("ASREQUESTED false POLICY OTHER"), prefer);
        assertTrue(prefer.contains("policy 0, rt_priority 0"), "the kernel's view:\n" + prefer);
        assertTrue(prefer.contains("WOKEN true by the service true"), prefer);
        assertTrue(prefer.contains("DEFAULT asked other, runs other"), prefer);

        final String strict = runWithoutSysNice("strict");
        final String refusal = strict.lines()
                .filter(l -> l.startsWith("REFUSED "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("STRICT attach did not throw:\n" + strict));
        for (final String part : List.of(
                "wss-wake",
                "wakeScheduling fifo:45",
                "sched_setscheduler(tid ",
                "errno 1 (EPERM, Operation not permitted)",
                "lacks CAP_SYS_NICE",
                "RLIMIT_RTPRIO is 0",
                "setcap cap_sys_nice+ep ",
                "ulimit -r 45",
                "wakeScheduling(RtScheduling.fifo(45).preferred())")) {
            assertTrue(refusal.contains(part), "the refusal names '" + part + "':\n" + refusal);
        }
        assertTrue(strict.contains("WAKER none"), strict);
        assertTrue(strict.contains("THREADS 0 wake, 0 grant"), strict);
        assertTrue(strict.contains("REATTACHED true"), strict);
    }

    private static boolean noKernelThread(String comm) {
        try {
            return KernelThreadStat.named(comm).isEmpty();
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static String runWithoutSysNice(String mode) throws Exception {
        final List<String> command = List.of(
                "prlimit",
                "--rtprio=0:0",
                "setpriv",
                "--inh-caps=-sys_nice",
                "--bounding-set=-sys_nice",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                WakeSchedulingRefusalProbe.class.getName(),
                mode);
        final Process process =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, process.exitValue(), "probe output:\n" + output);
        return output;
    }
}
