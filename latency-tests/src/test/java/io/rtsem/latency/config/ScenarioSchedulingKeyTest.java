package io.rtsem.latency.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtScheduling;
import io.rtsem.core.SchedulingPolicy;
import org.junit.jupiter.api.Test;

/** The per-thread {@code scheduling} key: its values, its default, and each bad value's message (exit code 2). */
class ScenarioSchedulingKeyTest {
    private final ScenarioLoader loader = new ScenarioLoader(2);

    /** A scenario whose SOFT thread (unpinned) and HARD thread (CPU 1) carry the given extra keys. */
    private static String yaml(String softExtra, String hardExtra) {
        return """
            scenario: t
            threads:
              - { name: h, context: HARD, cpu: %s, role: acquirer, rate-hz: 1000%s }
              - { name: s, context: SOFT, cpu: none, role: acquirer, rate-hz: 1000%s }
            """.formatted(
                        hardExtra.contains("cpu-none") ? "none" : "1", hardExtra.replace("cpu-none", ""), softExtra);
    }

    private RtScheduling soft(String value) throws ConfigException {
        return loader.parse("configs/x.yaml", yaml(", scheduling: " + value, ""))
                .threads()
                .get(1)
                .scheduling();
    }

    private String reject(String softExtra, String hardExtra) {
        return assertThrows(ConfigException.class, () -> loader.parse("configs/x.yaml", yaml(softExtra, hardExtra)))
                .getMessage();
    }

    @Test
    void absentKeyMeansTheContextDefaultWithTheFallbackRecorded() throws ConfigException {
        for (ThreadSpec t : loader.parse("configs/x.yaml", yaml("", "")).threads()) {
            assertEquals(RtScheduling.contextDefault().preferred(), t.scheduling(), t.name());
            assertEquals("default/prefer", ThreadSpec.schedulingText(t.scheduling()));
        }
    }

    @Test
    void readsEveryFormOfTheKey() throws ConfigException {
        assertEquals(RtScheduling.fifo(40), soft("fifo:40"));
        assertEquals(RtScheduling.fifo(10), soft("FIFO:10"));
        assertEquals(RtScheduling.fifo(1), soft("SCHED_FIFO:1"));
        assertEquals(RtScheduling.rr(99), soft("rr:99"));
        assertEquals(RtScheduling.other(), soft("other"));
        assertEquals(RtScheduling.of(SchedulingPolicy.BATCH, 0), soft("batch"));
        assertEquals(RtScheduling.of(SchedulingPolicy.IDLE, 0), soft("idle"));
        assertEquals(RtScheduling.unchanged(), soft("inherit"));
        assertEquals(RtScheduling.contextDefault(), soft("default"));
        assertEquals(RtScheduling.fifo(40).preferred(), soft("fifo:40/prefer"));
        assertEquals(RtScheduling.contextDefault().preferred(), soft("default/prefer"));
        assertEquals(RtScheduling.unchanged().preferred(), soft("inherit/prefer"));
        assertEquals("fifo:40/prefer", ThreadSpec.schedulingText(soft("fifo:40/prefer")));
        assertEquals("inherit/prefer", ThreadSpec.schedulingText(soft("inherit/prefer")));
        // a HARD thread pinned to its CPU may ask for FIFO (RtThread notes RT throttling; nothing spins in this test)
        assertEquals(
                RtScheduling.fifo(60),
                loader.parse("configs/x.yaml", yaml("", ", scheduling: fifo:60"))
                        .threads()
                        .get(0)
                        .scheduling());
        // cpu: any keeps the key
        assertEquals(RtScheduling.fifo(60), soft("fifo:60").strict());
        ThreadSpec moved = loader.parse("configs/x.yaml", yaml(", scheduling: fifo:20", ""))
                .threads()
                .get(1)
                .withCpu(0);
        assertEquals(RtScheduling.fifo(20), moved.scheduling());
    }

    @Test
    void priorityOutOfRangeNamesFileKeyAndRange() {
        assertEquals(
                "configs/x.yaml: threads[1].scheduling: expected " + ScenarioReader.SCHEDULING_EXPECTED
                        + ", got \"fifo:0\": priority 0 is outside 1..99, the range of FIFO (SCHED_FIFO) on Linux",
                reject(", scheduling: fifo:0", ""));
        assertEquals(
                "configs/x.yaml: threads[1].scheduling: expected " + ScenarioReader.SCHEDULING_EXPECTED
                        + ", got \"rr:100\": priority 100 is outside 1..99, the range of RR (SCHED_RR) on Linux",
                reject(", scheduling: rr:100", ""));
        assertEquals(
                "configs/x.yaml: threads[1].scheduling: expected " + ScenarioReader.SCHEDULING_EXPECTED
                        + ", got \"other:5\": priority 5 given for OTHER, which takes priority 0 only",
                reject(", scheduling: other:5", ""));
    }

    @Test
    void unknownPolicyOrMissingPriorityNamesTheKey() {
        String unknown = reject(", scheduling: realtime:40", "");
        assertTrue(
                unknown.startsWith("configs/x.yaml: threads[1].scheduling: expected fifo:N or rr:N")
                        && unknown.contains("got \"realtime:40\": unknown scheduling policy 'realtime'"),
                unknown);
        String bare = reject(", scheduling: fifo", "");
        assertTrue(bare.contains("threads[1].scheduling") && bare.contains("without a priority; e.g. fifo:40"), bare);
        String notNumber = reject(", scheduling: fifo:high", "");
        assertTrue(notNumber.contains("threads[1].scheduling") && notNumber.contains("priority 'high'"), notNumber);
        for (String d : new String[] {"deadline", "SCHED_DEADLINE:5", "deadline/prefer"}) {
            assertEquals(
                    "configs/x.yaml: threads[1].scheduling: expected " + ScenarioReader.SCHEDULING_EXPECTED + ", got \""
                            + d + "\": SCHED_DEADLINE cannot be set with sched_setscheduler",
                    reject(", scheduling: " + d, ""));
        }
        String mode = reject(", scheduling: fifo:40/maybe", "");
        assertTrue(mode.contains("threads[1].scheduling") && mode.contains("\"fifo:40/maybe\""), mode);
    }

    @Test
    void wrongTypeNamesTheKeyAndTheType() {
        assertEquals(
                "configs/x.yaml: threads[1].scheduling: expected " + ScenarioReader.SCHEDULING_EXPECTED
                        + ", got number 40",
                reject(", scheduling: 40", ""));
        assertEquals(
                "configs/x.yaml: threads[1].scheduling: expected " + ScenarioReader.SCHEDULING_EXPECTED
                        + ", got a mapping",
                reject(", scheduling: { policy: fifo }", ""));
        assertEquals(
                "configs/x.yaml: threads[1].scheduling: expected " + ScenarioReader.SCHEDULING_EXPECTED
                        + ", got a list",
                reject(", scheduling: [fifo, 40]", ""));
    }

    @Test
    void unpinnedHardThreadUnderARealTimePolicyIsRefused() {
        String m = reject("", ", scheduling: fifo:60cpu-none");
        assertEquals(
                "configs/x.yaml: threads[0].scheduling: a HARD thread spins; under fifo:60 an unpinned one could "
                        + "starve any CPU; expected cpu: N or any with it, or scheduling: other, inherit or default",
                m);
    }
}
