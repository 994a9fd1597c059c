package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test support: the C side of the named-semaphore tests, {@code src/test/c/semtool.c} (plain glibc {@code sem_open} &
 * co.), compiled with {@code gcc -pthread} into {@code target/} once per JVM; unique semaphore names per test.
 */
final class SemTool {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Path binary;

    private SemTool() {}

    /** A name no other test (of this or another JVM) uses: {@code rtsem-test-<pid>-<n>}. */
    static String uniqueName() {
        return "rtsem-test-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    /** Compiles semtool.c on first use (gcc is one of the tools scripts/install-test-tools provides). */
    static synchronized Path binary() throws IOException, InterruptedException {
        if (binary == null) {
            Path src = Paths.get("src/test/c/semtool.c").toAbsolutePath();
            Path out = Paths.get("target/semtool").toAbsolutePath();
            Files.createDirectories(out.getParent());
            Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-pthread", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(gcc.waitFor(60, TimeUnit.SECONDS), "gcc did not finish in 60 s");
            assertEquals(0, gcc.exitValue(), "gcc failed on " + src + ":\n" + output);
            binary = out;
        }
        return binary;
    }

    /** Starts {@code semtool cmd /name [arg]} and waits until it has opened the semaphore (it prints "ready"). */
    static Process start(String cmd, String name, long... arg) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary().toString(), cmd, "/" + name));
        for (long a : arg) {
            command.add(Long.toString(a));
        }
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (!"ready".equals(first)) {
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("semtool " + command + " did not open the semaphore (exit "
                    + (p.isAlive() ? "none yet" : p.exitValue()) + ")");
        }
        return p;
    }

    /** Runs {@code semtool} to its end (at most {@code seconds}) and returns its exit code (0 ok, 3 EAGAIN/timeout). */
    static int exitOf(Process p, long seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("semtool still running after " + seconds + " s (a lost wake-up?)");
        }
        return p.exitValue();
    }

    /** Runs a short command and returns its exit code. */
    static int run(String cmd, String name, long... arg) throws IOException, InterruptedException {
        return exitOf(start(cmd, name, arg), 30);
    }
}
