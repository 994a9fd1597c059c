package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void benchIsASubcommandThatKeepsJmhOptions()
    {
        final picocli.CommandLine.ParseResult parsed = RtsemCommand.commandLine()
            .parseArgs("bench", "core", "-wi", "1", "-rf", "json");
        assertEquals(List.of("core", "-wi", "1", "-rf", "json"),
            parsed.subcommand().matchedPositionalValue(0, List.<String>of()));
    }
}
