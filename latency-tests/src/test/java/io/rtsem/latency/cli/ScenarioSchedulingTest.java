package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario threads run under the scheduling their file asks for, and the report says what the kernel gave them
 * (src/test/resources/scenarios/soft-fifo.yaml, about 2 s): a SOFT loop asks {@code fifo:10} and runs at SCHED_FIFO 10;
 * a NON_RT loop with {@code inherit} keeps the test runner's SCHED_OTHER, as does one with {@code default} (NON_RT's
 * default is no change), and a hog asks {@code fifo:5} and runs its bursts at SCHED_FIFO 5. The policies in report.json come from {@code sched_getscheduler}/{@code sched_getparam} on
 * each thread's tid right after it set them (RtThread), not from the scenario. Needs CAP_SYS_NICE (root here): a
 * refused STRICT request exits 2.
 */
class ScenarioSchedulingTest {
    private static CliRun run;
    private static JsonNode report;

    @BeforeAll
    static void runIt() throws IOException {
        Path out = Path.of("target", "rtsem-test", "soft-fifo").toAbsolutePath();
        ValidateEndToEndTest.deleteRecursively(out);
        String scenario = Path.of("src/test/resources/scenarios/soft-fifo.yaml")
                .toAbsolutePath()
                .toString();
        run = CliRun.of("validate", scenario, "--out", out.toString(), "-q");
        report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    }

    private static JsonNode thread(String name) {
        return report.path("scheduling").path("threads").path(name);
    }

    @Test
    void softThreadAskingFifo10RunsAtFifo10() {
        assertEquals(0, run.exitCode(), () -> run.out() + run.err());
        JsonNode soft = thread("soft-fifo");
        assertEquals("fifo:10", soft.path("requested").asText(), soft.toString());
        assertEquals("fifo:10", soft.path("resolved").asText(), soft.toString());
        assertEquals("FIFO", soft.path("policy").asText(), soft.toString());
        assertEquals(10, soft.path("priority").asInt(), soft.toString());
        assertTrue(soft.path("asRequested").asBoolean(), soft.toString());
        assertEquals(
                "fifo:10",
                report.path("scenario")
                        .path("threads")
                        .get(0)
                        .path("scheduling")
                        .asText());
        assertTrue(report.path("scheduling").path("samePolicyForPeer").asBoolean());
        assertTrue(run.out().contains("soft-fifo      SOFT    asked fifo:10, runs FIFO 10"), run.out());
    }

    @Test
    void aHogRunsItsBurstsUnderItsOwnPolicyAndHasNoWaits() {
        JsonNode hog = thread("hog");
        assertEquals("FIFO", hog.path("policy").asText(), hog.toString());
        assertEquals(5, hog.path("priority").asInt(), hog.toString());
        JsonNode spec = report.path("scenario").path("threads").get(3);
        assertEquals("hog", spec.path("role").asText(), spec.toString());
        assertEquals(2000.0, spec.path("busyUs").asDouble(), spec.toString());
        assertTrue(spec.path("holdUs").isNull() && spec.path("permits").isNull(), spec.toString());
        for (String subject : new String[] {"rtsem", "peer"}) {
            JsonNode bursts =
                    report.path("subjects").path(subject).path("schedule").path("hog");
            // 300 ms per subject at 50 Hz: about 7 bursts each (a burst it starts late for is dropped, not caught up)
            assertTrue(
                    bursts.path("completed").asLong() >= 1
                            && bursts.path("completed").asLong()
                                    <= bursts.path("scheduled").asLong() + 1,
                    subject + ": " + bursts);
        }
        assertTrue(
                report.path("subjects").path("rtsem").path("contexts").has("NON_RT"),
                "the NON_RT acquirers' waits are reported");
        assertTrue(run.out().contains("hog            NON_RT  asked fifo:5, runs FIFO 5"), run.out());
    }

    @Test
    void inheritLeavesSchedOther() {
        JsonNode plain = thread("plain");
        assertEquals("inherit", plain.path("requested").asText(), plain.toString());
        assertEquals("OTHER", plain.path("policy").asText(), plain.toString());
        assertEquals(0, plain.path("priority").asInt(), plain.toString());
        assertTrue(plain.path("asRequested").asBoolean(), plain.toString());
        JsonNode dflt = thread("plain-default");
        assertEquals("default", dflt.path("requested").asText(), dflt.toString());
        assertEquals("inherit", dflt.path("resolved").asText(), "NON_RT's default is no change: " + dflt);
        assertEquals("OTHER", dflt.path("policy").asText(), dflt.toString());
        assertTrue(run.out().contains("plain-default  NON_RT  asked default (= inherit), runs OTHER 0"), run.out());
    }
}
