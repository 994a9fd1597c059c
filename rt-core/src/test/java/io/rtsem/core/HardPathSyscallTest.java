package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Observed from outside, with strace on a child JVM: a HARD thread acquiring and releasing while NON_RT waiters are
 * parked makes no futex call and no voluntary context switch (G3), and a release with nobody parked makes no futex
 * call from any context (G1). strace must be installed (.ci/run installs it).
 */
class HardPathSyscallTest
{
    @TempDir
    Path dir;

    @Test
    void hardReleaseWithParkedWaitersMakesNoFutexCallAndNoVoluntarySwitch() throws Exception
    {
        // Run 1, under strace: system calls per thread. Run 2, plain: context switches (under strace every system
        // call of the measuring code itself is a ptrace stop, which the kernel counts as a voluntary switch).
        final Path trace = dir.resolve("trace");
        final String traced = runProbe(List.of("strace", "-f", "-ff", "-e", "trace=futex,%file", "-o",
            trace.toString()));
        final String plain = runProbe(List.of());

        int windows = 0;
        for (final String line : traced.split("\n"))
        {
            if (!line.startsWith("WINDOW "))
            {
                continue;
            }
            windows++;
            final String[] f = line.trim().split(" ");
            final long operations = Long.parseLong(f[3]);
            final int futexCalls = futexCallsInWindow(Path.of(trace + "." + f[2]));
            assertTrue(operations > 10_000, f[1] + ": the window did work (" + operations + " operations)");
            assertEquals(0, futexCalls, f[1] + ": futex calls by thread " + f[2] + " during " + operations +
                " operations\nprobe output:\n" + traced);
        }
        assertEquals(2, windows, "probe output:\n" + traced);
        assertTrue(traced.contains("PARKED 2 PENDING_WAKE"), "the waiters stayed parked:\n" + traced);

        final String hardWindow = plain.lines().filter(l -> l.startsWith("WINDOW hard")).findFirst()
            .orElseThrow(() -> new AssertionError("no HARD window in:\n" + plain));
        final String[] f = hardWindow.trim().split(" ");
        assertEquals(0, Long.parseLong(f[5]) - Long.parseLong(f[4]),
            "voluntary context switches of the HARD thread during " + f[3] + " operations:\n" + plain);
    }

    private static String runProbe(final List<String> prefix) throws Exception
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0",
            "-cp", System.getProperty("java.class.path"),
            HardReleaseProbe.class.getName(), "300"));
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run " + command.get(0) +
                (prefix.isEmpty() ? "" : " (strace is required: apt-get install strace)") + ": " + ex, ex);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, process.exitValue(), "probe output:\n" + output);
        return output;
    }

    /** Futex calls between the window's begin and end marks in one thread's trace. */
    private static int futexCallsInWindow(final Path threadTrace) throws IOException
    {
        final File file = threadTrace.toFile();
        assertTrue(file.exists(), "strace wrote no trace for " + threadTrace);
        int marks = 0;
        int futex = 0;
        for (final String line : Files.readAllLines(threadTrace))
        {
            if (line.contains("/rtsem-window-"))
            {
                marks++;
                continue;
            }
            if (marks == 1 && line.contains("futex("))
            {
                futex++;
            }
        }
        assertEquals(2, marks, "window marks in " + threadTrace);
        return futex;
    }
}
