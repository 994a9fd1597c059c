package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NamedSemaphoreFile (what {@code ./rtsem inspect} prints) on hand-made good and bad files in a temporary directory,
 * and on a real semaphore: decoding, the N11 verdicts in NamedSemaphore's words, and that reading changes nothing.
 */
class NamedSemaphoreFileTest {
    @TempDir
    Path dir;

    private Path semFile(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve("sem." + name), bytes);
    }

    private static byte[] sem(long value, long waiters, int marker) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        b.putLong(0, (waiters << 32) | value);
        b.putInt(8, marker);
        return b.array();
    }

    private Map<String, NamedSemaphoreFile> byName() throws IOException {
        return NamedSemaphoreFile.list(dir).stream().collect(Collectors.toMap(NamedSemaphoreFile::name, f -> f));
    }

    @Test
    void aWellFormedFileIsDecodedWithItsOwnerAndMode() throws IOException {
        Path p = semFile("good", sem(7, 2, 128));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
        NamedSemaphoreFile f = NamedSemaphoreFile.read(dir, "/good");
        assertTrue(f.wellFormed(), f.toString());
        assertNull(f.problem());
        assertTrue(f.decoded());
        assertEquals(7, f.value());
        assertEquals(2, f.waiters());
        assertEquals(0640, f.mode());
        assertEquals(NamedSemaphore.effectiveUid(), f.uid());
        assertEquals(Files.getOwner(p).getName(), f.owner());
        assertEquals(Files.getLastModifiedTime(p), f.modified());
        assertEquals(p, f.path());
    }

    @Test
    void eachBadFileIsNamedWithNamedSemaphoresReason() throws IOException, InterruptedException {
        semFile("good", sem(1, 0, 128));
        semFile("short", new byte[31]);
        semFile("private", sem(3, 0, 0));
        Files.createSymbolicLink(dir.resolve("sem.link"), dir.resolve("sem.good"));
        Files.createDirectory(dir.resolve("sem.dir"));
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("sem.fifo").toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, mkfifo.exitValue());
        Files.write(dir.resolve("not-a-sem"), new byte[32]);

        List<NamedSemaphoreFile> all = NamedSemaphoreFile.list(dir);
        assertEquals(
                List.of("dir", "fifo", "good", "link", "private", "short"),
                all.stream().map(NamedSemaphoreFile::name).collect(Collectors.toList()),
                "every sem.* entry, sorted; nothing else");
        Map<String, NamedSemaphoreFile> f = byName();
        assertTrue(f.get("good").wellFormed());
        assertEquals(
                "is 31 bytes long, not the 32 of a glibc sem_t", f.get("short").problem());
        assertFalse(f.get("short").decoded());
        assertTrue(f.get("private").problem().startsWith("has 0 at offset 8, not the shared marker 128"));
        assertTrue(f.get("private").decoded(), "right size, wrong marker: still decoded");
        assertEquals(3, f.get("private").value());
        assertTrue(
                f.get("link").problem().contains("symbolic link"), f.get("link").problem());
        assertEquals("is not a regular file", f.get("dir").problem());
        assertEquals("is not a regular file", f.get("fifo").problem(), "a FIFO is described, never opened");
    }

    @Test
    void readingChangesNeitherTheBytesNorAnyTime() throws IOException {
        byte[] bytes = sem(5, 1, 128);
        Path p = semFile("still", bytes);
        // An access time at or before the modification time is what relatime updates on the next read: O_NOATIME
        // (we run as root, or as the owner) is what keeps it.
        FileTime old = FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() - 60_000);
        Files.setAttribute(p, "lastAccessTime", old);
        Map<String, Object> before = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        for (int i = 0; i < 3; i++) {
            NamedSemaphoreFile.read(dir, "still");
            NamedSemaphoreFile.list(dir);
        }
        Map<String, Object> after = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        assertArrayEquals(bytes, Files.readAllBytes(p));
        for (String key : new String[] {"lastAccessTime", "lastModifiedTime", "ctime", "size", "mode", "uid"}) {
            assertEquals(before.get(key), after.get(key), key);
        }
    }

    @Test
    void anUnknownNameIsNoSuchFileAndABadNameIsNamed() {
        NoSuchFileException missing =
                assertThrows(NoSuchFileException.class, () -> NamedSemaphoreFile.read(dir, "absent"));
        assertTrue(missing.getMessage().contains("sem.absent"), missing.getMessage());
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> NamedSemaphoreFile.read(dir, "a/b"));
        assertTrue(bad.getMessage().contains("\"a/b\""), bad.getMessage());
    }

    @Test
    void aRealSemaphoreReadsAsItsCurrentValue() throws Exception {
        String name = SemTool.uniqueName();
        try (NamedSemaphore sem = NamedSemaphore.create(name, 4)) {
            assertTrue(sem.tryAcquire());
            NamedSemaphoreFile f = NamedSemaphoreFile.read(NamedSemaphore.DIR, name);
            assertTrue(f.wellFormed(), f.toString());
            assertEquals(3, f.value());
            assertEquals(0, f.waiters());
            assertEquals(0600, f.mode());
            assertTrue(NamedSemaphoreFile.list(NamedSemaphore.DIR).stream()
                    .anyMatch(x -> x.name().equals(name) && x.value() == 3));
        } finally {
            NamedSemaphore.unlink(name);
        }
    }
}
