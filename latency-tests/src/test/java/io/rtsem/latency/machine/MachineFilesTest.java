package io.rtsem.latency.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading the real kernel files (read only: nothing here writes to the machine). */
class MachineFilesTest {

    @Test
    void aSysctlFileIsReadWholeAsCatReadsIt() throws IOException, InterruptedException {
        // was: Files.readAllBytes read 1 byte first (the file's size is 0), and a sysctl file answers any read at a
        // non-zero offset with end of file: sched_rt_runtime_us 950000 read as "9"
        for (String f : new String[] {MachineFiles.RT_RUNTIME, MachineFiles.RT_PERIOD}) {
            Process cat = new ProcessBuilder("cat", "/" + f).start();
            String expected = new String(cat.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertEquals(0, cat.waitFor());
            assertEquals(expected, MachineFiles.SYSTEM.read(f), f);
            assertTrue(expected.endsWith("\n") && expected.length() > 2, f + ": " + expected);
        }
    }
}
