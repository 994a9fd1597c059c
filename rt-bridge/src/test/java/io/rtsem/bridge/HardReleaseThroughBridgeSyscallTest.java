package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * B1, observed from outside: a NON_RT waiter parked on the bridge is woken after every HARD release while the HARD
 * thread makes no futex call (strace -f -ff on a child JVM, {@link BridgeWakeProbe}). strace must be installed.
 */
class HardReleaseThroughBridgeSyscallTest {
    @TempDir
    Path dir;

    @Test
    void nonRtWaiterIsWokenAfterHardReleasesWithoutAnyFutexCallByTheHardThread() throws Exception {
        final Path trace = dir.resolve("trace");
        final List<String> command = List.of(
                "strace",
                "-f",
                "-ff",
                "-e",
                "trace=futex,%file",
                "-o",
                trace.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UnlockDiagnosticVMOptions",
                "-XX:GuaranteedSafepointInterval=0",
                // C1 only: compiled code that does not profile never asks for a recompilation. A compile request is
                // a futex broadcast by the requesting thread (CompileBroker::compile_method_base, seen with strace
                // -k), the JVM's doing, not the bridge's; with the full tiers the HARD thread made 1-3 of them in the
                // window in 3 of 4 runs once the wake service ran at its FIFO default (1 of 4 at SCHED_OTHER).
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                BridgeWakeProbe.class.getName(),
                "300");
        final Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException ex) {
            throw new AssertionError("cannot run strace (required: apt-get install strace): " + ex, ex);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, process.exitValue(), "probe output:\n" + output);

        final String window = output.lines()
                .filter(l -> l.startsWith("WINDOW "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no window in probe output:\n" + output));
        final String[] f = window.trim().split(" ");
        final String tid = f[1];
        assertEquals(300, Integer.parseInt(f[2]), "every round's waiter was woken");
        assertTrue(Long.parseLong(f[3]) > 0, "the wake service did the wake-ups: " + window);

        int marks = 0;
        int futex = 0;
        final StringBuilder futexLines = new StringBuilder();
        for (final String line : Files.readAllLines(Path.of(trace + "." + tid))) {
            if (line.contains("/rtsem-window-")) {
                marks++;
            } else if (marks == 1 && line.contains("futex(")) {
                futex++;
                if (futex <= 5) {
                    futexLines.append(line).append('\n'); // which call: a safepoint's shows as a wait, ours a wake
                }
            }
        }
        assertEquals(2, marks, "window marks in the HARD thread's trace");
        assertEquals(
                0,
                futex,
                "futex calls by the HARD thread " + tid + " during 300 release/wake rounds:\n" + futexLines + output);
        System.out.println("B1: " + window + " with 0 futex calls by the HARD thread");
    }
}
