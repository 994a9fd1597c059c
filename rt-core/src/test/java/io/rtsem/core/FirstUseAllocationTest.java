package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The HARD paths allocate nothing from their very first call in a fresh JVM, not only after warm-up: the first
 * execution of a VarHandle call site links it (and linking allocates), so every such site a HARD thread can reach is
 * run once when {@link RtSemaphore} is initialised. Runs {@link FirstUseAllocationProbe} in a child JVM, because in
 * this one other tests have long since run the code.
 *
 * <p>The child runs C1 only. The one allocation priming cannot prevent is HotSpot's, not ours: the first C2
 * compilation of a method of a class resolves every string constant of that class on the thread whose call counter
 * asked for the compilation (once per JVM and class; its size is in ARCHITECTURE A1). That lands at a random instant of
 * warm-up, so it is documented (ARCHITECTURE A1: warm up before going live) instead of tested here; the after-warm-up
 * test ({@link HardPathAllocationTest}) runs with C2.
 */
class FirstUseAllocationTest {
    @Test
    void theFirstCallOfEveryHardPathAllocatesNothing() throws Exception {
        final List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                FirstUseAllocationProbe.class.getName());
        final Process process =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, process.exitValue(), "probe output:\n" + output);
        assertTrue(output.contains("CHECK true"), "every step did what it should:\n" + output);
        final long steps = output.lines().filter(l -> l.startsWith("BYTES ")).count();
        assertEquals(7, steps, "probe output:\n" + output);
        output.lines().filter(l -> l.startsWith("BYTES ")).forEach(line -> {
            final String[] f = line.split(" ");
            assertEquals(0L, Long.parseLong(f[2]), "bytes allocated by the first HARD " + f[1] + ":\n" + output);
        });
    }
}
