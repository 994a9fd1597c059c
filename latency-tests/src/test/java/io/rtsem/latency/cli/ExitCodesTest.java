package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * Exit code 1 for a missed budget (and what the report says about it), 2 for usage, config and environment errors,
 * 3 for a run that failed or an exception nothing handled.
 */
class ExitCodesTest {

    @Test
    void budgetNobodyCanMeetExitsOneAndSaysWhichAndByHowMuch() throws IOException {
        Path dir = Path.of("target", "rtsem-test", "impossible").toAbsolutePath();
        ValidateEndToEndTest.deleteRecursively(dir);
        Files.createDirectories(dir);
        String smoke = Files.readString(CliRun.root().resolve("configs/smoke.yaml"));
        String impossible = smoke.replaceAll("(?m)^  HARD: .*$", "  HARD:   { p50: 0.001, max: 0.002 }");
        Path file = dir.resolve("impossible.yaml");
        Files.writeString(file, impossible);
        CliRun run = CliRun.of(
                "validate", file.toString(), "--out", dir.resolve("out").toString(), "-q");
        assertEquals(1, run.exitCode(), () -> run.out() + run.err());
        assertTrue(run.out().contains("FAIL, 2 budget(s) missed"), run.out());
        assertTrue(run.out().contains("missed: HARD p50:") && run.out().contains("over by"), run.out());
        JsonNode r = new ObjectMapper().readTree(dir.resolve("out/report.json").toFile());
        assertEquals(1, r.path("verdict").path("exitCode").asInt());
        JsonNode miss = r.path("verdict").path("missed").get(0);
        assertEquals("HARD", miss.path("context").asText());
        assertEquals("p50", miss.path("percentile").asText());
        assertEquals(0.001, miss.path("budget").asDouble(), 1e-9);
        assertTrue(miss.path("overBy").asDouble() > 0);
        assertTrue(r.path("subjects").path("rtsem").path("overBudgetWaits").asLong() > 0);
        long events = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(dir.resolve("out/run.jfr"))) {
            if (e.getEventType().getName().equals("io.rtsem.WaitOverBudget")) {
                events++;
                assertEquals(
                        2L, e.getLong("budgetNanos"), "the HARD max budget (0.002 us) is the single-wait threshold");
            }
        }
        assertTrue(events > 0, "waits over budget are JFR events in run.jfr");
    }

    @Test
    void brokenConfigExitsTwoNamingFileAndKey() throws IOException {
        Path file = Files.createTempFile("broken", ".yaml");
        Files.writeString(
                file,
                Files.readString(CliRun.root().resolve("configs/smoke.yaml"))
                        .replace("rate-hz: 2000", "rate-hz: fast"));
        CliRun run = CliRun.of("validate", file.toString(), "-q");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains(file + ": threads[0].rate-hz: expected iterations per second"), run.err());
        Files.delete(file);
    }

    @Test
    void unreadableEmptyOrBrokenConfigExitsTwoNamingTheFile() throws IOException {
        Path dir = Files.createTempDirectory("rtsem-config-dir");
        Path empty = Files.createTempFile("rtsem-empty", ".yaml");
        Path broken = Files.createTempFile("rtsem-broken", ".yaml");
        Files.writeString(broken, "threads: [ { name: a, context: HARD\nbudgets: {\n");
        try {
            CliRun d = CliRun.of("validate", dir.toString(), "-q");
            assertEquals(2, d.exitCode(), d.err());
            assertTrue(d.err().contains(dir + ": cannot read the file"), d.err());
            CliRun e = CliRun.of("validate", empty.toString(), "-q");
            assertEquals(2, e.exitCode(), e.err());
            assertTrue(e.err().contains(empty + ": the file is empty"), e.err());
            CliRun b = CliRun.of("validate", broken.toString(), "-q");
            assertEquals(2, b.exitCode(), b.err());
            assertTrue(b.err().contains(broken + ": not valid YAML") && b.err().contains("(line "), b.err());
        } finally {
            Files.delete(dir);
            Files.delete(empty);
            Files.delete(broken);
        }
    }

    @Test
    void aConfigWithBinaryJunkExitsTwoWithOnePrintableLine() throws IOException {
        // found by ScenarioFuzzTest: the loader's message quoted the file's control characters and SnakeYAML's
        // multi-line snippet to the terminal
        Path file = Files.createTempFile("rtsem-junk", ".yaml");
        Files.write(
                file,
                ("scenario: \"a\\e[2Jb\"\n"
                                + Files.readString(CliRun.root().resolve("configs/smoke.yaml"))
                                        .replace("scenario: smoke\n", ""))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path binary = Files.createTempFile("rtsem-binary", ".yaml");
        Files.write(binary, new byte[] {'a', ':', ' ', (byte) 0xFF, (byte) 0xFE, 0, '\n'});
        try {
            CliRun run = CliRun.of("validate", file.toString(), "-q");
            assertEquals(2, run.exitCode(), run.err());
            assertEquals(
                    "rtsem: invalid scenario: " + file + ": scenario: expected a name of letters, digits, '.', '_' "
                            + "or '-', got \"a\\u001B[2Jb\"" + System.lineSeparator(),
                    run.err());
            CliRun bin = CliRun.of("validate", binary.toString(), "-q");
            assertEquals(2, bin.exitCode(), bin.err());
            assertEquals(
                    "rtsem: invalid scenario: " + binary + ": not UTF-8 text: byte 0xFF at offset 3 (line 1) is not "
                            + "valid UTF-8; expected a YAML file saved as UTF-8" + System.lineSeparator(),
                    bin.err());
        } finally {
            Files.delete(file);
            Files.delete(binary);
        }
    }

    @Test
    void anEmptyOrImpossibleConfigPathExitsTwo() {
        // was: "" resolved to the working directory ("<nothing>: cannot read the file"); a NUL threw
        // InvalidPathException out of the command (exit 3, a stack trace)
        CliRun empty = CliRun.of("validate", "", "-q");
        assertEquals(2, empty.exitCode(), empty.err());
        assertEquals(
                "rtsem: CONFIG is empty; expected a scenario file or the name of one in configs/"
                        + System.lineSeparator(),
                empty.err());
        CliRun nul = CliRun.of("validate", "a\u0000b.yaml", "-q");
        assertEquals(2, nul.exitCode(), nul.err());
        assertEquals(
                "rtsem: CONFIG \"a\\u0000b.yaml\" is not a valid path: Nul character not allowed"
                        + System.lineSeparator(),
                nul.err());
    }

    @Test
    void anOutputDirectoryThatCannotBeCreatedExitsTwoBeforeTheRun() throws IOException {
        // was: exit 3, "the run failed: java.nio.file.FileSystemException: ...", from inside the run
        Path file = Files.createTempFile("rtsem-out-parent", ".txt");
        try {
            Path out = file.resolve("sub");
            CliRun run = CliRun.of("validate", "smoke", "--out", out.toString(), "-q");
            assertEquals(2, run.exitCode(), run.err());
            assertEquals(
                    "rtsem: cannot create the output directory " + out + ": Not a directory" + System.lineSeparator(),
                    run.err());
            assertEquals("", run.out(), "nothing measured");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void realTimeJvmOptionsNamesANullRoot() {
        NullPointerException e = org.junit.jupiter.api.Assertions.assertThrows(
                NullPointerException.class, () -> io.rtsem.latency.cli.RealTimeJvmOptions.read(null));
        assertEquals("root", e.getMessage());
    }

    @Test
    void missingConfigFileExitsTwo() {
        CliRun run = CliRun.of("validate", "no-such-scenario.yaml");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("no-such-scenario.yaml: cannot read the file"), run.err());
    }

    @Test
    void unknownOptionAndMissingSubcommandExitTwo() {
        assertEquals(2, CliRun.of("validate", "--bogus").exitCode());
        assertEquals(2, CliRun.of().exitCode());
    }

    @Test
    void anExceptionNoCommandHandlesExitsThreeNeverOne() throws IOException {
        Path empty = Files.createTempDirectory("rtsem-no-configs");
        String root = System.getProperty("rtsem.root");
        try {
            System.setProperty("rtsem.root", empty.toString()); // list-configs: no configs/ to list
            CliRun run = CliRun.of("list-configs");
            assertEquals(3, run.exitCode(), () -> "1 would read as a missed budget: " + run.err());
            assertTrue(run.err().contains("NoSuchFileException"), run.err());
        } finally {
            System.setProperty("rtsem.root", root);
            Files.delete(empty);
        }
    }

    @Test
    void outNamingAnExistingFileIsAUsageError() throws IOException {
        Path file = Files.createTempFile("rtsem-out", ".txt");
        CliRun run = CliRun.of("validate", "smoke", "--out", file.toString(), "-q");
        Files.delete(file);
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--out " + file + " is an existing file"), run.err());
    }

    @Test
    void aThreadThatCannotBePinnedIsAnEnvironmentErrorExitTwo() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        // another RtThread of this JVM holds CPU 1, where pinned-short.yaml pins its HARD loop
        RtThread holder = RtThread.start("cpu1-holder", RtContext.HARD, 1, () -> {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            String scenario = Path.of("src/test/resources/scenarios/pinned-short.yaml")
                    .toAbsolutePath()
                    .toString();
            CliRun run = CliRun.of(
                    "validate",
                    scenario,
                    "--out",
                    Path.of("target", "rtsem-test", "pin-failure")
                            .toAbsolutePath()
                            .toString(),
                    "-q");
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(run.err().contains("cannot start scenario thread hard-loop on cpu 1"), run.err());
        } finally {
            done.countDown();
            holder.join(5_000);
        }
    }

    @Test
    void aCpuAnyThreadListedFirstLeavesTheFixedCpuToItsThread() {
        String scenario = Path.of("src/test/resources/scenarios/any-before-fixed.yaml")
                .toAbsolutePath()
                .toString();
        CliRun run = CliRun.of(
                "validate",
                scenario,
                "--out",
                Path.of("target", "rtsem-test", "any-before-fixed")
                        .toAbsolutePath()
                        .toString(),
                "-q");
        assertEquals(0, run.exitCode(), () -> run.out() + run.err());
        assertTrue(run.out().contains("thread soft-any (cpu: any) ran on CPU 0"), run.out());
    }

    @Test
    void listConfigsShowsEveryShippedScenario() {
        CliRun run = CliRun.of("list-configs");
        assertEquals(0, run.exitCode(), run.err());
        for (String s : new String[] {"default", "smoke", "control-loop-1khz", "trading-burst", "bookkeeping-heavy"}) {
            assertTrue(run.out().contains("configs/" + s + ".yaml"), run.out());
        }
    }

    @Test
    void helpListsTheSubcommandsAndExitCodes() {
        CliRun run = CliRun.of("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("validate")
                && run.out().contains("list-configs")
                && run.out().contains("tune")
                && run.out().contains("Exit codes"));
    }
}
