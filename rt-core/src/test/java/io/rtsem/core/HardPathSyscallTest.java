package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Observed from outside, with strace on a child JVM: a HARD thread acquiring and releasing while NON_RT waiters are
 * parked makes no futex call and no voluntary context switch (G3), and a release with nobody parked makes no futex
 * call from any context (G1). strace must be installed (.ci/run installs it).
 */
class HardPathSyscallTest {
    @TempDir
    Path dir;

    @Test
    void hardReleaseWithParkedWaitersMakesNoFutexCallAndNoVoluntarySwitch() throws Exception {
        // Run 1, under strace: system calls per thread. Run 2, plain: context switches (under strace every system
        // call of the measuring code itself is a ptrace stop, which the kernel counts as a voluntary switch).
        final Path trace = dir.resolve("trace");
        final String traced =
                runProbe(List.of("strace", "-f", "-ff", "-e", "trace=futex,%file", "-o", trace.toString()));
        final String plain = runProbe(List.of());

        // Every window of the HARD thread makes millions of releases that find parked waiters: one unpark (futex)
        // per release, or per wake, would show as thousands of calls in EVERY window. The JVM itself may stop a
        // spinning thread now and then (a safepoint or a compile request: a futex call or a switch that is not the
        // semaphore's); so at least one window must be perfectly clean and none may show more than 2.
        for (final String scenario : List.of("hard-release-with-parked-waiters", "non-rt-release-without-waiters")) {
            final List<String[]> windows = traced.lines()
                    .filter(l -> l.startsWith("WINDOW " + scenario + " "))
                    .map(l -> l.trim().split(" "))
                    .collect(Collectors.toList());
            assertEquals(HardReleaseProbe.WINDOWS, windows.size(), "probe output:\n" + traced);
            final List<Integer> futexCalls = futexCallsPerWindow(Path.of(trace + "." + windows.get(0)[2]));
            assertEquals(HardReleaseProbe.WINDOWS, futexCalls.size(), "windows marked in the trace");
            for (final String[] window : windows) {
                assertTrue(
                        Long.parseLong(window[3]) > 100_000,
                        scenario + ": the window did work (" + window[3] + " operations)");
            }
            assertEquals(
                    0,
                    Collections.min(futexCalls),
                    scenario + ": futex calls per window " + futexCalls + " of thread " + windows.get(0)[2]
                            + "\nprobe output:\n" + traced);
            assertTrue(Collections.max(futexCalls) <= 2, scenario + ": futex calls per window " + futexCalls);
        }
        assertTrue(traced.contains("PARKED 2 PENDING_WAKE"), "the waiters stayed parked:\n" + traced);
        assertTrue(
                traced.lines().anyMatch(l -> l.startsWith("CYCLES ") && Long.parseLong(l.substring(7)) > 0),
                "the parked NON_RT cycler was served permits released by the HARD thread:\n" + traced);

        final List<Long> switches = plain.lines()
                .filter(l -> l.startsWith("WINDOW hard"))
                .map(l -> l.trim().split(" "))
                .map(f -> Long.parseLong(f[5]) - Long.parseLong(f[4]))
                .collect(Collectors.toList());
        assertEquals(HardReleaseProbe.WINDOWS, switches.size(), "probe output:\n" + plain);
        assertEquals(
                0L,
                (long) Collections.min(switches),
                "voluntary context switches of the HARD thread per window " + switches + ":\n" + plain);
        assertTrue(Collections.max(switches) <= 2, "voluntary switches per window " + switches);
    }

    private static String runProbe(List<String> prefix) throws Exception {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only (no profiling tiers) and no periodic safepoint: otherwise the JIT's own tier-up requests and
                // uncommon traps (condition-variable broadcasts, i.e. futex calls) land in the window. The loop under
                // test is compiled code either way; what is measured is the semaphore's code, not the JIT's.
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UnlockDiagnosticVMOptions",
                "-XX:GuaranteedSafepointInterval=0",
                "-cp",
                System.getProperty("java.class.path"),
                HardReleaseProbe.class.getName(),
                "300"));
        final Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException ex) {
            throw new AssertionError(
                    "cannot run " + command.get(0)
                            + (prefix.isEmpty() ? "" : " (strace is required: apt-get install strace)") + ": " + ex,
                    ex);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, process.exitValue(), "probe output:\n" + output);
        return output;
    }

    /** Futex calls between each begin and end mark of one thread's trace, window by window. */
    private static List<Integer> futexCallsPerWindow(Path threadTrace) throws IOException {
        assertTrue(Files.exists(threadTrace), "strace wrote no trace for " + threadTrace);
        final List<Integer> counts = new ArrayList<>();
        int current = -1;
        for (final String line : Files.readAllLines(threadTrace)) {
            if (line.contains("/rtsem-window-begin")) {
                current = 0;
            } else if (line.contains("/rtsem-window-end")) {
                counts.add(current);
                current = -1;
            } else if (current >= 0 && line.contains("futex(")) {
                current++;
            }
        }
        return counts;
    }
}
