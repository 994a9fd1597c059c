package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class BenchCommandTest
{
    @Test
    void selectionNamesThePackageAndJmhOptionsPassThrough()
    {
        assertEquals(List.of(BenchCommand.CORE, "-wi", "1"), BenchCommand.jmhArguments(List.of("core", "-wi", "1")));
        assertEquals(List.of(BenchCommand.BRIDGE), BenchCommand.jmhArguments(List.of("bridge")));
        assertEquals(List.of("io.rtsem.latency.bench", "-i", "2"), BenchCommand.jmhArguments(List.of("-i", "2")));
        assertEquals(List.of("Handoff.*rtsem"), BenchCommand.jmhArguments(List.of("Handoff.*rtsem")));
    }

    /** Runs {@code ./rtsem args...} in this JVM; returns the exit code and the error writer's text. */
    private static String[] run(final String... args)
    {
        final java.io.StringWriter err = new java.io.StringWriter();
        final picocli.CommandLine commandLine = RtsemCommand.commandLine();
        commandLine.setErr(new java.io.PrintWriter(err, true));
        final int rc = commandLine.execute(args);
        return new String[] {Integer.toString(rc), err.toString()};
    }

    @Test
    void anOptionJmhRejectsExitsTwoNotOne()
    {
        // was: JMH's Main printed its error and called System.exit(1), which reads as "a budget missed"
        final String[] r = run("bench", "core", "-wi", "many");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].startsWith("rtsem: bench: ") && r[1].contains("many") && r[1].contains("./rtsem bench -h"),
            r[1]);
    }

    @Test
    void aSelectionThatMatchesNoBenchmarkExitsTwoNamingIt()
    {
        // was: "No matching benchmarks. Miss-spelled regexp?" and System.exit(1)
        final String[] r = run("bench", "NoSuchBenchmarkAnywhere");
        assertEquals("2", r[0], r[1]);
        assertEquals("rtsem: bench: no benchmark matches NoSuchBenchmarkAnywhere; expected core, bridge or a regex of "
            + "benchmark names (./rtsem bench -l lists them)" + System.lineSeparator(), r[1]);
    }

    @Test
    void benchIsASubcommandThatKeepsJmhOptions()
    {
        final picocli.CommandLine.ParseResult parsed = RtsemCommand.commandLine()
            .parseArgs("bench", "core", "-wi", "1", "-rf", "json");
        assertEquals(List.of("core", "-wi", "1", "-rf", "json"),
            parsed.subcommand().matchedPositionalValue(0, List.<String>of()));
    }
}
