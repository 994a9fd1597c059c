package io.rtsem.latency.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.latency.machine.CpuList;
import io.rtsem.latency.machine.MachineState;
import io.rtsem.latency.report.Attribution.Cause;
import io.rtsem.latency.report.Attribution.ThreadPolicy;
import io.rtsem.latency.run.InversionEpisodes;
import io.rtsem.latency.run.InversionEpisodes.Episode;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The machine advice names RT throttling, missing capabilities, isolcpus/nohz_full and priority inversion only when the
 * run shows what they cost (synthetic runs: policies, worst waits with causes, episodes).
 */
class AttributionMachineAdviceTest {
    private static final String THROTTLE_NOTE = "HARD default keeps SCHED_OTHER: RT throttling is on "
            + "(sched_rt_runtime_us=950000; -1 turns it off): a FIFO spinner would be stopped ...";
    private static final ThreadPolicy HARD_KEPT_OTHER =
            new ThreadPolicy("hard-loop", RtContext.HARD, 1, "default", "OTHER 0", true, THROTTLE_NOTE);
    private static final ThreadPolicy HARD_PLAIN =
            new ThreadPolicy("hard-loop", RtContext.HARD, 1, "inherit", "OTHER 0", true, "");
    private static final ThreadPolicy SOFT_FIFO =
            new ThreadPolicy("soft-loop", RtContext.SOFT, -1, "fifo:40", "FIFO 40", true, "");
    private static final WaitSample HARD_WORST =
            new WaitSample("hard-loop", "HARD", 3_000_000, 3_000_000, 0, 3_000_000);
    private static final Cause PREEMPTION = new Cause("preemption", "2 involuntary context switch(es) of hard-loop");
    private static final Cause GC = new Cause("gc", "pause");

    private static MachineState machine(boolean throttled, Boolean capSysNice, String isolated, String nohzFull) {
        return new MachineState(
                throttled ? 950_000L : -1L,
                1_000_000L,
                isolated.isEmpty() ? new BitSet() : CpuList.parse(isolated),
                nohzFull.isEmpty() ? new BitSet() : CpuList.parse(nohzFull),
                CpuList.parse("0-1"),
                List.of(),
                Map.of(),
                null,
                null,
                Map.of(),
                0,
                capSysNice,
                "0",
                "0",
                false);
    }

    private static InversionEpisodes.Result episodes(long hard, long soft, Long boosts, Long refused) {
        List<Episode> list = new java.util.ArrayList<>();
        for (int i = 0; i < soft; i++) {
            list.add(new Episode("soft-loop", RtContext.SOFT, "bookkeeper", RtContext.NON_RT, i, i + 1, 1, 1, 1, 0));
        }
        return new InversionEpisodes.Result(
                Map.of(RtContext.HARD, hard, RtContext.SOFT, soft), list, hard + soft, 0, 0, boosts, refused);
    }

    private static final InversionEpisodes.Result NONE_RTSEM = episodes(0, 0, 0L, 0L);
    private static final InversionEpisodes.Result NONE_PEER = episodes(0, 0, null, null);

    private static List<String> advice(
            MachineState m,
            List<ThreadPolicy> p,
            List<Cause> hardCauses,
            InversionEpisodes.Result rtsem,
            InversionEpisodes.Result peer) {
        return Attribution.machineAdvice(m, p, List.of(HARD_WORST), List.of(hardCauses), rtsem, peer);
    }

    private static String only(List<String> advice, String prefix) {
        List<String> l = advice.stream().filter(a -> a.startsWith(prefix)).toList();
        assertEquals(1, l.size(), advice.toString());
        return l.get(0);
    }

    @Test
    void rtThrottlingIsNamedWhenItKeptAHardThreadOffFifoAndItWasPreempted() {
        String a = only(
                advice(
                        machine(true, true, "", ""),
                        List.of(HARD_KEPT_OTHER),
                        List.of(PREEMPTION),
                        NONE_RTSEM,
                        NONE_PEER),
                "RT throttling");
        assertTrue(
                a.contains("./rtsem tune --apply") && a.contains("sched_rt_runtime_us") && a.contains("hard-loop"), a);
        assertTrue(a.contains("950000"), a);
        assertEquals(
                List.of(),
                advice(machine(true, true, "1", "1"), List.of(HARD_KEPT_OTHER), List.of(GC), NONE_RTSEM, NONE_PEER),
                "not preempted in its worst waits: throttling cost nothing");
        assertEquals(
                List.of(),
                advice(machine(true, true, "1", "1"), List.of(HARD_PLAIN), List.of(PREEMPTION), NONE_RTSEM, NONE_PEER),
                "no note: RT throttling did not decide its policy (and CPU 1 is isolated)");
    }

    @Test
    void aRefusedPolicyNamesCapabilitiesAndRtprioLimits() {
        ThreadPolicy refused = new ThreadPolicy(
                "soft-loop", RtContext.SOFT, -1, "fifo:40/prefer", "OTHER 0", false, "sched_setscheduler: EPERM");
        String a = only(
                advice(machine(false, false, "1", "1"), List.of(refused), List.of(), NONE_RTSEM, NONE_PEER),
                "capabilities");
        assertTrue(a.contains("CAP_SYS_NICE") && a.contains("RLIMIT_RTPRIO") && a.contains("DEPLOYING.md"), a);
        assertTrue(a.contains("soft-loop (SOFT) asked fifo:40/prefer, runs OTHER 0"), a);
        assertTrue(a.contains("lacks CAP_SYS_NICE"), a);
        assertEquals(
                List.of(),
                advice(machine(false, false, "1", "1"), List.of(SOFT_FIFO), List.of(), NONE_RTSEM, NONE_PEER));
    }

    @Test
    void preemptionOfAPinnedHardThreadOnASharedCpuNamesIsolcpusAndNohzFull() {
        String a = only(
                advice(machine(false, true, "", ""), List.of(HARD_PLAIN), List.of(PREEMPTION), NONE_RTSEM, NONE_PEER),
                "isolcpus/nohz_full");
        assertTrue(a.contains("isolcpus=1 nohz_full=1") && a.contains("IRQ affinity"), a);
        assertTrue(a.contains("CPU 1 not in isolcpus"), a);
        Cause migration = new Cause("migration", "1 CPU migration(s) of hard-loop");
        assertTrue(advice(machine(false, true, "", ""), List.of(HARD_PLAIN), List.of(migration), NONE_RTSEM, NONE_PEER)
                .get(0)
                .startsWith("isolcpus/nohz_full"));
        assertEquals(
                List.of(),
                advice(machine(false, true, "1", "1"), List.of(HARD_PLAIN), List.of(PREEMPTION), NONE_RTSEM, NONE_PEER),
                "CPU 1 is isolated and tickless: nothing to add");
        ThreadPolicy unpinned = new ThreadPolicy("hard-loop", RtContext.HARD, -1, "inherit", "OTHER 0", true, "");
        assertEquals(
                List.of(),
                advice(machine(false, true, "", ""), List.of(unpinned), List.of(PREEMPTION), NONE_RTSEM, NONE_PEER),
                "an unpinned thread: the migration advice (pin it) is the per-cause one");
    }

    @Test
    void inversionOnThePeerOnlySaysTheBoostDidItsJob() {
        String a = only(
                advice(
                        machine(false, true, "1", "1"),
                        List.of(SOFT_FIFO),
                        List.of(),
                        episodes(0, 0, 12L, 0L),
                        episodes(0, 5, null, null)),
                "priority inversion");
        assertTrue(a.contains("peer had 5 episode(s)") && a.contains("rtsem none") && a.contains("12 time(s)"), a);
        assertTrue(a.contains("kept the holders running"), a);
    }

    @Test
    void inversionOnRtsemSaysWhatToCheck() {
        ThreadPolicy softOther = new ThreadPolicy("soft-loop", RtContext.SOFT, -1, "inherit", "OTHER 0", true, "");
        String a = only(
                advice(
                        machine(false, true, "1", "1"),
                        List.of(softOther),
                        List.of(),
                        episodes(0, 3, 0L, 2L),
                        episodes(0, 4, null, null)),
                "priority inversion");
        assertTrue(a.contains("rtsem had 3 episode(s)") && a.contains("(the peer 4)"), a);
        assertTrue(a.contains("soft-loop runs OTHER 0") && a.contains("scheduling: default"), a);
        assertTrue(a.contains("refused 2 boost(s)"), a);
        assertTrue(a.contains("no boost was applied") && a.contains("priorityBoost"), a);
        String fifo = only(
                advice(
                        machine(false, true, "1", "1"),
                        List.of(SOFT_FIFO),
                        List.of(),
                        episodes(0, 1, 4L, 0L),
                        NONE_PEER),
                "priority inversion");
        assertFalse(fifo.contains("no real-time policy") || fifo.contains("no boost was applied"), fifo);
        assertEquals(
                List.of(),
                advice(machine(false, true, "1", "1"), List.of(SOFT_FIFO), List.of(), NONE_RTSEM, NONE_PEER),
                "no episode on either: nothing to say");
    }

    @Test
    void worstWaitsThatAreEpisodesGetAnInversionCause() {
        Episode e = new Episode(
                "hard-loop",
                RtContext.HARD,
                "bookkeeper",
                RtContext.NON_RT,
                1_000,
                2_900_000,
                2_950_000,
                50_000,
                2_000_000,
                1);
        List<Cause> c = Attribution.inversions(HARD_WORST, List.of(e));
        assertEquals(1, c.size());
        assertEquals("inversion", c.get(0).kind());
        assertTrue(c.get(0).detail().contains("bookkeeper (NON_RT)"), c.get(0).detail());
        WaitSample other = new WaitSample("soft-loop", "SOFT", 3_000_000, 3_000_000, 0, 3_000_000);
        assertEquals(List.of(), Attribution.inversions(other, List.of(e)), "another waiter's episode");
        WaitSample later = new WaitSample("hard-loop", "HARD", 1_000_000, 1_000_000, 5_000_000, 6_000_000);
        assertEquals(List.of(), Attribution.inversions(later, List.of(e)), "outside the wait");
    }

    @Test
    void badInputIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Attribution.machineAdvice(
                        machine(false, true, "", ""),
                        List.of(),
                        List.of(HARD_WORST),
                        List.of(),
                        NONE_RTSEM,
                        NONE_PEER));
        assertTrue(e.getMessage().contains("1 waits") && e.getMessage().contains("0 lists"), e.getMessage());
        assertThrows(
                NullPointerException.class,
                () -> Attribution.machineAdvice(null, List.of(), List.of(), List.of(), NONE_RTSEM, NONE_PEER));
    }
}
