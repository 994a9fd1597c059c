package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A holder that stalls across the end of the run, holding the only permit (src/test/resources/scenarios/
 * stall-at-end.yaml): the waiter's wait has not ended when the run stops it, so it is recorded as ending at the stop
 * (not dropped with the harness's interrupt), and both threads completed far less than their schedules: the verdict
 * fails, naming each, although no budget is set.
 */
class UnfinishedWorkTest {
    private static CliRun run;
    private static JsonNode report;
    /**
     * The harness waits 1.2 s after the measured window (200 ms, the 1 s overrun, a period) before it stops a thread
     * (ValidationRun); this much, less the millisecond rounding of its join.
     */
    private static final long GRACE_NANOS = 1_100_000_000L;

    @BeforeAll
    static void runIt() throws IOException {
        Path out = Path.of("target", "rtsem-test", "stall-at-end").toAbsolutePath();
        ValidateEndToEndTest.deleteRecursively(out);
        String scenario = Path.of("src/test/resources/scenarios/stall-at-end.yaml")
                .toAbsolutePath()
                .toString();
        run = CliRun.of("validate", scenario, "--out", out.toString(), "-q");
        report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    }

    @Test
    void bothThreadsFailTheVerdictByName() {
        assertEquals(1, run.exitCode(), () -> run.out() + run.err());
        assertTrue(run.out().contains("FAIL, 2 thread(s) behind their schedule"), run.out());
        assertTrue(run.out().contains("behind: thread holder (SOFT) completed "), run.out());
        assertTrue(
                run.out().contains("behind: thread waiter (SOFT) completed ")
                        && run.out().contains("1 wait(s) had not ended when the run stopped it"),
                run.out());
        JsonNode behind = report.path("verdict").path("behindSchedule");
        List<String> names = new ArrayList<>();
        for (JsonNode b : behind) {
            names.add(b.path("thread").asText());
            long scheduled = b.path("scheduled").asLong();
            long completed = b.path("completed").asLong();
            // 1 kHz for 1 s on each subject; the stall came at 700 ms of one subject's time, after which nothing ran
            assertTrue(Math.abs(scheduled - 2000) <= 4, b.toString());
            assertTrue(scheduled - completed > 100 && completed >= 600, b.toString());
            assertEquals(100, b.path("allowedShortfall").asLong(), "one 100 ms interval at 1 kHz: " + b);
            assertEquals(
                    b.path("thread").asText().equals("waiter") ? 1 : 0,
                    b.path("unfinishedWaits").asInt(),
                    b.toString());
        }
        assertEquals(List.of("holder", "waiter"), names);
        assertFalse(report.path("verdict").path("pass").asBoolean());
        assertEquals(0, report.path("verdict").path("missed").size(), "no budget set, none missed");
    }

    @Test
    void theWaitInProgressIsRecordedAsEndingAtTheStop() {
        long unfinished = 0;
        double longest = 0;
        for (String subject : List.of("rtsem", "peer")) {
            JsonNode s = report.path("subjects").path(subject);
            unfinished +=
                    s.path("schedule").path("waiter").path("unfinishedWaits").asLong();
            assertEquals(
                    0, s.path("schedule").path("holder").path("unfinishedWaits").asLong(), "the holder never waited");
            longest = Math.max(
                    longest,
                    s.path("contexts").path("SOFT").path("wait").path("max").asDouble());
        }
        assertEquals(1, unfinished, "one wait was in progress at the stop");
        // it began inside the measured window and ended at the stop, which comes at least the harness's grace after it
        assertTrue(longest * 1_000 >= GRACE_NANOS, "the longest SOFT wait (us) runs to the stop: " + longest);
        assertTrue(
                report.path("run").path("notes").toString().contains("thread waiter was still waiting on "),
                report.path("run").path("notes").toString());
    }
}
