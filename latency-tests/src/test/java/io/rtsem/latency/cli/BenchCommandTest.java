package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void selectionNamesThePackageAndJmhOptionsPassThrough() {
        assertEquals(List.of(BenchCommand.CORE, "-wi", "1"), BenchCommand.jmhArguments(List.of("core", "-wi", "1")));
        assertEquals(List.of(BenchCommand.BRIDGE), BenchCommand.jmhArguments(List.of("bridge")));
        assertEquals(List.of("io.rtsem.latency.bench", "-i", "2"), BenchCommand.jmhArguments(List.of("-i", "2")));
        assertEquals(List.of("Handoff.*rtsem"), BenchCommand.jmhArguments(List.of("Handoff.*rtsem")));
    }

    /** Runs {@code ./rtsem args...} in this JVM; returns the exit code and the error writer's text. */
    private static String[] run(String... args) {
        final java.io.StringWriter err = new java.io.StringWriter();
        final picocli.CommandLine commandLine = RtsemCommand.commandLine();
        commandLine.setErr(new java.io.PrintWriter(err, true));
        final int rc = commandLine.execute(args);
        return new String[] {Integer.toString(rc), err.toString()};
    }

    @Test
    void anOptionJmhRejectsExitsTwoNotOne() {
        // was: JMH's Main printed its error and called System.exit(1), which reads as "a budget missed"
        final String[] r = run("bench", "core", "-wi", "many");
        assertEquals("2", r[0], r[1]);
        assertTrue(
                r[1].startsWith("rtsem: bench: ") && r[1].contains("many") && r[1].contains("./rtsem bench -h"), r[1]);
    }

    @Test
    void aSelectionThatMatchesNoBenchmarkExitsTwoNamingIt() {
        // was: "No matching benchmarks. Miss-spelled regexp?" and System.exit(1)
        final String[] r = run("bench", "NoSuchBenchmarkAnywhere");
        assertEquals("2", r[0], r[1]);
        assertEquals(
                "rtsem: bench: no benchmark matches NoSuchBenchmarkAnywhere; expected core, bridge or a regex of "
                        + "benchmark names (./rtsem bench -l lists them)" + System.lineSeparator(),
                r[1]);
    }

    @Test
    void benchIsASubcommandThatKeepsJmhOptions() {
        final picocli.CommandLine.ParseResult parsed =
                RtsemCommand.commandLine().parseArgs("bench", "core", "-wi", "1", "-rf", "json");
        assertEquals(
                List.of("core", "-wi", "1", "-rf", "json"),
                parsed.subcommand().matchedPositionalValue(0, List.<String>of()));
    }

    /**
     * The benchmarks exist in this JDK's build and one runs through {@code ./rtsem bench}'s command. On JDK 23 and
     * later javac runs no annotation processor it only finds on the class path, so the build had no
     * META-INF/BenchmarkList and {@code bench} died; the suite runs on JDK 17 and JDK 25 ({@code .ci/run}), so
     * this test is the check on both. {@code -f 0} runs in this JVM, one 50 ms iteration.
     */
    @Test
    void aBenchmarkRunsOnTheJdkThatBuiltIt(@org.junit.jupiter.api.io.TempDir final Path dir) throws IOException {
        final Path json = dir.resolve("result.json");
        final String[] r = run(
                "bench",
                "UncontendedBenchmark.rtsemTryAcquireRelease",
                "-f",
                "0",
                "-wi",
                "0",
                "-i",
                "1",
                "-r",
                "50ms",
                "-rf",
                "json",
                "-rff",
                json.toString());
        assertEquals("0", r[0], r[1]);
        final JsonNode results = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(1, results.size(), results::toString);
        final JsonNode result = results.get(0);
        assertEquals(
                "io.rtsem.latency.bench.core.UncontendedBenchmark.rtsemTryAcquireRelease",
                result.get("benchmark").asText());
        assertTrue(result.get("primaryMetric").get("score").asDouble() > 0, result::toString);
        assertEquals(
                Runtime.version().feature(),
                Runtime.Version.parse(result.get("jdkVersion").asText()).feature(),
                "the benchmark ran on another JDK than this test's");
    }
}
