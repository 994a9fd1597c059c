package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scheduling per context (docs/ARCHITECTURE.md S1-S6), checked against what the kernel reports in
 * {@code /proc/self/task/<tid>/stat}, not against rtsem's bookkeeping. Every real-time thread here sleeps or ends at
 * once; none spins.
 */
class RtThreadSchedulingTest {
    private static final long JOIN_MILLIS = TimeUnit.SECONDS.toMillis(20);

    /** Starts a thread that reports the kernel's view of itself, then ends. */
    private static ThreadStat statOf(RtContext context, int cpu, RtScheduling scheduling) throws Exception {
        final CompletableFuture<ThreadStat> stat = new CompletableFuture<>();
        final RtThread thread = RtThread.start("stat-" + context, context, cpu, scheduling, () -> {
            try {
                stat.complete(ThreadStat.ofCurrentThread());
            } catch (Exception ex) {
                stat.completeExceptionally(ex);
            }
        });
        thread.join(JOIN_MILLIS);
        return stat.get(20, TimeUnit.SECONDS);
    }

    /**
     * The RT throttling budget is read whole: the kernel answers a read at a non-zero offset of a sysctl file with end
     * of file, and a 1-byte first read (Files.readString on a file of size 0) made 950000 into 9. Compared with what
     * {@code cat} prints.
     */
    @Test
    void theRtThrottlingBudgetIsReadAsCatReadsIt() throws Exception {
        final Process cat = new ProcessBuilder("cat", KernelScheduler.RT_RUNTIME.toString()).start();
        final String printed = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(cat.waitFor(20, TimeUnit.SECONDS));
        assertEquals(Long.parseLong(printed), KernelScheduler.rtRuntimeMicros());
    }

    @Test
    void softRunsAtFifoAtItsDefaultPriority() throws Exception {
        final CompletableFuture<ThreadStat> stat = new CompletableFuture<>();
        final RtThread soft = RtThread.start("soft", RtContext.SOFT, RtThread.NO_PIN, () -> {
            try {
                stat.complete(ThreadStat.ofCurrentThread());
            } catch (Exception ex) {
                stat.completeExceptionally(ex);
            }
        });
        soft.join(JOIN_MILLIS);
        final ThreadStat kernel = stat.get(20, TimeUnit.SECONDS);
        assertEquals(ThreadStat.FIFO, kernel.policy, "S1: " + kernel);
        assertEquals(RtScheduling.SOFT_PRIORITY, kernel.rtPriority, "S1: " + kernel);
        final AppliedScheduling applied = soft.scheduling();
        assertEquals(RtScheduling.fifo(RtScheduling.SOFT_PRIORITY), applied.requested(), applied.toString());
        assertEquals(SchedulingPolicy.FIFO, applied.policy());
        assertEquals(RtScheduling.SOFT_PRIORITY, applied.priority());
        assertTrue(applied.asRequested() && applied.realTime() && applied.note().isEmpty(), applied.toString());
    }

    @Test
    void hardDefaultFollowsRtThrottlingOnThisMachine() throws Exception {
        // readAllLines: its first read takes the whole line (Files.readString would read "9" of 950000).
        final long runtime = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/sched_rt_runtime_us"))
                .get(0)
                .trim());
        assertEquals(runtime, KernelScheduler.rtRuntimeMicros(), "the whole value, not its first character");
        final CompletableFuture<ThreadStat> stat = new CompletableFuture<>();
        final RtThread hard = RtThread.start("hard", RtContext.HARD, 1, () -> {
            try {
                stat.complete(ThreadStat.ofCurrentThread());
            } catch (Exception ex) {
                stat.completeExceptionally(ex);
            }
        });
        hard.join(JOIN_MILLIS);
        final ThreadStat kernel = stat.get(20, TimeUnit.SECONDS);
        final AppliedScheduling applied = hard.scheduling();
        if (runtime == -1) {
            assertEquals(ThreadStat.FIFO, kernel.policy, "S2: unthrottled, pinned HARD runs FIFO: " + kernel);
            assertEquals(RtScheduling.HARD_PRIORITY, kernel.rtPriority, kernel.toString());
        } else {
            assertEquals(ThreadStat.OTHER, kernel.policy, "S2: throttled, HARD keeps SCHED_OTHER: " + kernel);
            assertEquals(RtScheduling.other(), applied.requested(), applied.toString());
            assertTrue(applied.asRequested(), applied.toString());
            assertTrue(
                    applied.note().contains("sched_rt_runtime_us=" + runtime)
                            && applied.note().contains("RtScheduling.fifo(60)"),
                    "S2: says so: " + applied.note());
        }
    }

    @Test
    void nonRtIsLeftAsItWasAndExplicitRequestsAreApplied() throws Exception {
        final ThreadStat nonRt = statOf(RtContext.NON_RT, RtThread.NO_PIN, RtScheduling.contextDefault());
        assertEquals(ThreadStat.OTHER, nonRt.policy, "S3: NON_RT inherits this test thread's SCHED_OTHER");
        assertEquals(ThreadStat.RR, statOf(RtContext.NON_RT, RtThread.NO_PIN, RtScheduling.rr(7)).policy);
        final ThreadStat fifo = statOf(RtContext.NON_RT, RtThread.NO_PIN, RtScheduling.fifo(3));
        assertEquals(ThreadStat.FIFO, fifo.policy, fifo.toString());
        assertEquals(3, fifo.rtPriority, fifo.toString());
        assertEquals(ThreadStat.OTHER, statOf(RtContext.SOFT, RtThread.NO_PIN, RtScheduling.other()).policy);
        assertEquals(ThreadStat.OTHER, statOf(RtContext.SOFT, RtThread.NO_PIN, RtScheduling.unchanged()).policy);
        // This test's own thread was never touched.
        assertEquals(ThreadStat.OTHER, ThreadStat.ofCurrentThread().policy);
    }

    @Test
    void threadsCreatedByAFifoThreadStartAtSchedOther() throws Exception {
        final CompletableFuture<ThreadStat> parent = new CompletableFuture<>();
        final CompletableFuture<ThreadStat> child = new CompletableFuture<>();
        RtThread.start("fifo-parent", RtContext.SOFT, RtThread.NO_PIN, () -> {
                    try {
                        parent.complete(ThreadStat.ofCurrentThread());
                        final Thread t = new Thread(() -> {
                            try {
                                child.complete(ThreadStat.ofCurrentThread());
                            } catch (Exception ex) {
                                child.completeExceptionally(ex);
                            }
                        });
                        t.start();
                        t.join(JOIN_MILLIS);
                    } catch (Exception ex) {
                        parent.completeExceptionally(ex);
                    }
                })
                .join(JOIN_MILLIS);
        assertEquals(ThreadStat.FIFO, parent.get(20, TimeUnit.SECONDS).policy);
        assertEquals(ThreadStat.OTHER, child.get(20, TimeUnit.SECONDS).policy, "S6: SCHED_RESET_ON_FORK");
    }

    @Test
    void applyToCurrentThreadSetsAPlainThreadsPolicyAsTheKernelReportsIt() throws Exception {
        final CompletableFuture<String> result = new CompletableFuture<>();
        final Thread plain = new Thread(() -> {
            try {
                final AppliedScheduling applied = RtThread.applyToCurrentThread(RtContext.NON_RT, RtScheduling.fifo(7));
                final ThreadStat fifo = ThreadStat.ofCurrentThread();
                final AppliedScheduling back = RtThread.applyToCurrentThread(RtContext.NON_RT, RtScheduling.other());
                final ThreadStat other = ThreadStat.ofCurrentThread();
                final AppliedScheduling kept =
                        RtThread.applyToCurrentThread(RtContext.NON_RT, RtScheduling.contextDefault());
                result.complete(applied + " | " + fifo + " | " + back + " | " + other + " | " + kept + " | "
                        + ThreadStat.ofCurrentThread());
            } catch (Exception | Error ex) {
                result.completeExceptionally(ex);
            }
        });
        plain.start();
        plain.join(JOIN_MILLIS);
        assertEquals(
                "asked fifo:7, runs fifo:7 | policy 1, rt_priority 7 | asked other, runs other | policy 0, rt_priority 0"
                        + " | asked unchanged, runs other | policy 0, rt_priority 0",
                result.get(20, TimeUnit.SECONDS));
    }

    @Test
    void applyToCurrentThreadOnAnRtThreadUpdatesWhatItsWaitStrategiesRead() throws Exception {
        final CompletableFuture<String> seen = new CompletableFuture<>();
        final RtThread thread = RtThread.start("re-scheduled", RtContext.SOFT, RtThread.NO_PIN, () -> {
            try {
                final boolean before = RtThread.currentThreadRealTime();
                RtThread.applyToCurrentThread(RtContext.SOFT, RtScheduling.other());
                seen.complete(before + " " + RtThread.currentThreadRealTime() + " " + ThreadStat.ofCurrentThread());
            } catch (Exception | Error ex) {
                seen.completeExceptionally(ex);
            }
        });
        thread.join(JOIN_MILLIS);
        assertEquals("true false policy 0, rt_priority 0", seen.get(20, TimeUnit.SECONDS));
        assertEquals(
                SchedulingPolicy.OTHER,
                thread.scheduling().policy(),
                thread.scheduling().toString());
    }

    @Test
    void theContextDefaultsResolveAsDocumented() {
        final RtScheduling def = RtScheduling.contextDefault();
        assertEquals(
                "fifo:40",
                RtThread.resolve(RtContext.SOFT, def, false, 950_000).request().toString());
        assertEquals(
                "fifo:40/prefer",
                RtThread.resolve(RtContext.SOFT, def.preferred(), true, -1)
                        .request()
                        .toString());
        assertEquals(
                "unchanged",
                RtThread.resolve(RtContext.NON_RT, def, true, -1).request().toString());
        // HARD: FIFO above SOFT only pinned and unthrottled.
        final RtThread.Resolved unthrottled = RtThread.resolve(RtContext.HARD, def, true, -1);
        assertEquals("fifo:60", unthrottled.request().toString());
        assertEquals("", unthrottled.note());
        final RtThread.Resolved throttled = RtThread.resolve(RtContext.HARD, def, true, 950_000);
        assertEquals("other", throttled.request().toString());
        assertTrue(throttled.note().contains("sched_rt_runtime_us=950000"), throttled.note());
        final RtThread.Resolved unpinned = RtThread.resolve(RtContext.HARD, def, false, -1);
        assertEquals("other", unpinned.request().toString());
        assertTrue(unpinned.note().contains("not pinned"), unpinned.note());
        final RtThread.Resolved unknown = RtThread.resolve(RtContext.HARD, def, true, KernelScheduler.UNKNOWN);
        assertEquals("other", unknown.request().toString());
        // Asked for explicitly, HARD gets FIFO even under throttling, and is told.
        final RtThread.Resolved asked = RtThread.resolve(RtContext.HARD, RtScheduling.fifo(70), true, 950_000);
        assertEquals("fifo:70", asked.request().toString());
        assertTrue(asked.note().contains("throttling"), asked.note());
        assertEquals(
                "",
                RtThread.resolve(RtContext.HARD, RtScheduling.fifo(70), true, -1)
                        .note());
    }

    @Test
    void requestsParseAndPrintInOneSyntax() {
        for (final String text : List.of(
                "default",
                "unchanged",
                "other",
                "batch",
                "idle",
                "fifo:40",
                "rr:1",
                "fifo:99/prefer",
                "unchanged/prefer")) {
            assertEquals(text, RtScheduling.parse(text).toString());
        }
        assertEquals(RtScheduling.fifo(5), RtScheduling.parse(" SCHED_FIFO:5 "));
        assertEquals(RtScheduling.fifo(5), RtScheduling.parse("fifo:5/prefer").strict());
        assertTrue(RtScheduling.parse("default/prefer").isContextDefault());
        assertEquals(SchedulingPolicy.OTHER, SchedulingPolicy.forName("normal"));
        assertFalse(RtScheduling.unchanged().policy().isPresent());
    }

    /**
     * S5, the refusal, in a child JVM that really cannot set a real-time policy although it runs as root: its
     * capability bounding set lacks CAP_SYS_NICE (so the exec'd java has it neither permitted nor effective) and its
     * RLIMIT_RTPRIO is 0 (so the capability is the only way in). Checked by hand first:
     * {@code prlimit --rtprio=0:0 setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice chrt -f 10 true} fails with
     * "Operation not permitted" here, and {@code chrt -f 10 true} without the prefix succeeds.
     */
    @Test
    void aRefusedPolicyIsLoudWithItsCauseAndFixOrRecordedWhenPreferred() throws Exception {
        final String strict = runWithoutSysNice("strict");
        assertTrue(strict.contains("BODY NEVER RAN"), strict);
        final String refusal = strict.lines()
                .filter(l -> l.startsWith("REFUSED "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("STRICT start did not throw:\n" + strict));
        for (final String part : List.of(
                "refused-soft",
                "fifo:40",
                "sched_setscheduler(tid ",
                "errno 1 (EPERM, Operation not permitted)",
                "lacks CAP_SYS_NICE",
                "RLIMIT_RTPRIO is 0",
                "setcap cap_sys_nice+ep ",
                "/etc/security/limits.conf",
                "ulimit -r 40",
                "run as root",
                "/prefer")) {
            assertTrue(refusal.contains(part), "the refusal names '" + part + "':\n" + refusal);
        }

        final String prefer = runWithoutSysNice("prefer");
        assertTrue(prefer.contains("BODY RAN KERNEL policy 0, rt_priority 0"), prefer);
        assertTrue(prefer.contains("ASREQUESTED false") && prefer.contains("POLICY OTHER"), prefer);
        assertTrue(
                prefer.contains("APPLIED asked fifo:40/prefer, runs other (sched_setscheduler(tid ")
                        && prefer.contains("EPERM"),
                prefer);
    }

    private static String runWithoutSysNice(String mode) throws Exception {
        final List<String> command = new ArrayList<>(List.of(
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
                SchedulingRefusalProbe.class.getName(),
                mode));
        final Process process =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, process.exitValue(), "probe output:\n" + output);
        return output;
    }
}
