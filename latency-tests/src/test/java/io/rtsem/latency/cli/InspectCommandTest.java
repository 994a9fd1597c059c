package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.bridge.NamedSemaphore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./rtsem inspect} on a temporary directory of hand-made good and bad files ({@code --dir}), and end to end on a
 * real semaphore in /dev/shm made by {@code NamedSemaphore.create}.
 */
class InspectCommandTest {
    @TempDir
    Path dir;

    private static byte[] sem(long value, long waiters, int marker) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        b.putLong(0, (waiters << 32) | value);
        b.putInt(8, marker);
        return b.array();
    }

    private CliRun inspect(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "inspect";
        all[1] = "--dir";
        all[2] = dir.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return CliRun.of(all);
    }

    private static String line(String out, String name) {
        List<String> lines = Arrays.stream(out.split("\n"))
                .filter(l -> l.startsWith(name + " "))
                .collect(Collectors.toList());
        assertEquals(1, lines.size(), name + " in:\n" + out);
        return lines.get(0);
    }

    @Test
    void listsEverySemaphoreWithValueWaitersOwnerModeAgeAndVerdict() throws IOException {
        Path good = Files.write(dir.resolve("sem.good"), sem(3, 1, 128));
        Files.setPosixFilePermissions(good, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(good, FileTime.from(java.time.Instant.now().minus(Duration.ofMinutes(5))));
        Files.write(dir.resolve("sem.short"), new byte[31]);
        Files.write(dir.resolve("sem.private"), sem(2, 0, 0));
        Files.createSymbolicLink(dir.resolve("sem.link"), good);
        byte[] before = Files.readAllBytes(good);

        CliRun run = inspect();
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out().startsWith("rtsem inspect: 4 named semaphores in " + dir + ", 3 not well formed"), run.out());
        String owner = Files.getOwner(good).getName();
        assertTrue(
                line(run.out(), "good").matches("good +3 +1 +" + owner + " \\(\\d+\\) +0600 rw------- +5m0\\ds +ok"),
                run.out());
        assertTrue(line(run.out(), "short").contains("- "), run.out());
        assertTrue(
                line(run.out(), "short")
                        .endsWith("NOT WELL FORMED: " + dir.resolve("sem.short")
                                + " is 31 bytes long, not the 32 of a glibc sem_t"),
                run.out());
        assertTrue(line(run.out(), "private").contains("has 0 at offset 8"), run.out());
        assertTrue(line(run.out(), "link").contains("symbolic link"), run.out());
        assertArrayEquals(before, Files.readAllBytes(good), "inspect changes nothing");
    }

    @Test
    void withANameOnlyThatOneIsShown() throws IOException {
        Files.write(dir.resolve("sem.one"), sem(1, 0, 128));
        Files.write(dir.resolve("sem.two"), sem(2, 0, 128));
        CliRun run = inspect("/two");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("rtsem inspect: 1 named semaphore in "), run.out());
        assertTrue(line(run.out(), "two").contains(" ok"), run.out());
        assertTrue(!run.out().contains("one "), run.out());
    }

    @Test
    void anUnknownNameExitsTwoNamingIt() {
        CliRun run = inspect("nosuch");
        assertEquals(2, run.exitCode(), run.out());
        assertTrue(run.err().contains("no named semaphore \"nosuch\""), run.err());
        assertTrue(run.err().contains(dir.resolve("sem.nosuch").toString()), run.err());
        CliRun bad = inspect("a/b");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("\"a/b\""), bad.err());
    }

    @Test
    void anEmptyDirectorySaysSo() {
        CliRun run = inspect();
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("rtsem inspect: 0 named semaphores in " + dir + "\n", run.out());
    }

    @Test
    void endToEndARealSemaphoreInDevShmIsShownWithItsValue() throws Exception {
        String name = "rtsem-inspect-test-" + ProcessHandle.current().pid();
        try (NamedSemaphore sem = NamedSemaphore.create(name, 5)) {
            sem.tryAcquire(2);
            CliRun run = CliRun.of("inspect", name);
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().startsWith("rtsem inspect: 1 named semaphore in /dev/shm"), run.out());
            assertTrue(line(run.out(), name).matches(name + " +3 +0 +.* 0600 rw------- +\\d+s +ok"), run.out());
            CliRun all = CliRun.of("inspect");
            assertEquals(0, all.exitCode(), all.err());
            assertTrue(line(all.out(), name).endsWith(" ok"), all.out());
        } finally {
            NamedSemaphore.unlink(name);
        }
    }

    @Test
    void agesReadAsPeopleWriteThem() {
        assertEquals("0s", InspectCommand.age(Duration.ofSeconds(-3)));
        assertEquals("59s", InspectCommand.age(Duration.ofSeconds(59)));
        assertEquals("3m05s", InspectCommand.age(Duration.ofSeconds(185)));
        assertEquals("2h07m", InspectCommand.age(Duration.ofMinutes(127)));
        assertEquals("12d03h", InspectCommand.age(Duration.ofHours(291)));
    }
}
