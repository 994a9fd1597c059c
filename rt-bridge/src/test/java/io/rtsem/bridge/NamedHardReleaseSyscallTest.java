package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BRIDGE.md N5 from outside: a child JVM under {@code strace -f -ff -e trace=futex}; 100 rounds of a C sem_wait woken
 * by a HARD release. The HARD thread makes no non-private futex call (those are the semaphore's: glibc's and ours);
 * every round's wake is a non-private FUTEX_WAKE by another thread, the wake service.
 */
class NamedHardReleaseSyscallTest {
    private static final int ROUNDS = 100;

    @TempDir
    Path dir;

    @Test
    void hardReleasesLeaveEveryFutexWakeToTheWakeService() throws Exception {
        Path trace = dir.resolve("trace");
        List<String> command = List.of(
                "strace",
                "-f",
                "-ff",
                "-e",
                "trace=futex",
                "-o",
                trace.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                NamedHardReleaseProbe.class.getName(),
                SemTool.binary().toString(),
                Integer.toString(ROUNDS));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException ex) {
            throw new AssertionError("cannot run strace (required: apt-get install strace): " + ex, ex);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, process.exitValue(), "probe output:\n" + output);
        String[] f = output.lines()
                .filter(l -> l.startsWith("HARDTID "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no HARDTID in probe output:\n" + output))
                .split(" ");
        assertEquals(ROUNDS, Integer.parseInt(f[2]), "every round's C waiter was woken");

        List<String> hardCalls = Files.readAllLines(dir.resolve("trace." + f[1]));
        List<String> sharedByHard = hardCalls.stream()
                .filter(l -> l.startsWith("futex(") && !l.contains("_PRIVATE"))
                .collect(Collectors.toList());
        assertEquals(List.of(), sharedByHard, "non-private futex calls by the HARD thread");

        long sharedWakesByOthers;
        try (Stream<Path> files = Files.list(dir)) {
            sharedWakesByOthers = files.filter(p -> !p.getFileName().toString().equals("trace." + f[1]))
                    .flatMap(p -> {
                        try {
                            return Files.readAllLines(p).stream();
                        } catch (IOException ex) {
                            throw new IllegalStateException(ex);
                        }
                    })
                    .filter(l -> l.startsWith("futex(") && l.contains("FUTEX_WAKE,"))
                    .count();
        }
        assertTrue(sharedWakesByOthers >= ROUNDS, "non-private FUTEX_WAKEs by other threads: " + sharedWakesByOthers);
    }
}
