package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ./rtsem validate} where the kernel refuses real-time policies: a child JVM that runs as root but has neither
 * CAP_SYS_NICE (dropped from its bounding and inheritable sets) nor an RLIMIT_RTPRIO above 0 ({@code prlimit
 * --rtprio=0:0 setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice}, as rt-core's RtThreadSchedulingTest does).
 * A thread without a scheduling key asks for its context default with {@code /prefer}: the run goes on, and the
 * report says the SOFT thread runs SCHED_OTHER, not as requested, with errno and the fix. A STRICT {@code fifo:10}
 * stops the run with exit code 2, naming the thread and the cause.
 */
class SchedulingRefusedTest {
    @Test
    void withoutCapSysNiceTheDefaultFallsBackAndSaysSo() throws Exception {
        final Path out = Path.of("target", "rtsem-test", "soft-default-refused").toAbsolutePath();
        ValidateEndToEndTest.deleteRecursively(out);
        final Child run = runWithoutSysNice("src/test/resources/scenarios/soft-default.yaml", out);
        assertTrue(run.exit == 0 || run.exit == 1, "a pass or a budget verdict, not a refusal:\n" + run.output);
        final JsonNode soft = new ObjectMapper()
                .readTree(out.resolve("report.json").toFile())
                .path("scheduling")
                .path("threads")
                .path("soft-default");
        assertEquals("default/prefer", soft.path("requested").asText(), soft.toString());
        assertEquals("fifo:40/prefer", soft.path("resolved").asText(), soft.toString());
        assertEquals("OTHER", soft.path("policy").asText(), "read back from the kernel: " + soft);
        assertFalse(soft.path("asRequested").asBoolean(), soft.toString());
        final String note = soft.path("note").asText();
        for (final String part : List.of("EPERM", "CAP_SYS_NICE", "RLIMIT_RTPRIO is 0")) {
            assertTrue(note.contains(part), "the note names '" + part + "': " + note);
        }
    }

    @Test
    void withoutCapSysNiceAStrictRequestStopsTheRunNamingTheCause() throws Exception {
        final Path scenario = Files.createTempFile("soft-strict", ".yaml");
        try {
            Files.writeString(
                    scenario,
                    Files.readString(Path.of("src/test/resources/scenarios/soft-default.yaml"))
                            .replace("scenario: soft-default", "scenario: soft-strict")
                            .replace(
                                    "hold: 5us }\n  - { name: plain",
                                    "hold: 5us, scheduling: \"fifo:10\" }\n  - { name: plain"));
            final Path out =
                    Path.of("target", "rtsem-test", "soft-strict-refused").toAbsolutePath();
            ValidateEndToEndTest.deleteRecursively(out);
            final Child run = runWithoutSysNice(scenario.toString(), out);
            assertEquals(2, run.exit, run.output);
            for (final String part : List.of("soft-default", "fifo:10", "EPERM", "CAP_SYS_NICE", "/prefer")) {
                assertTrue(run.output.contains(part), "the refusal names '" + part + "':\n" + run.output);
            }
        } finally {
            Files.deleteIfExists(scenario);
        }
    }

    private record Child(int exit, String output) {}

    private static Child runWithoutSysNice(String scenario, Path out) throws Exception {
        final Process process = new ProcessBuilder(
                        "prlimit",
                        "--rtprio=0:0",
                        "setpriv",
                        "--inh-caps=-sys_nice",
                        "--bounding-set=-sys_nice",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        RtsemCommand.class.getName(),
                        "validate",
                        Path.of(scenario).toAbsolutePath().toString(),
                        "--out",
                        out.toString(),
                        "-q")
                .redirectErrorStream(true)
                .start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child run ended");
        return new Child(process.exitValue(), output);
    }
}
