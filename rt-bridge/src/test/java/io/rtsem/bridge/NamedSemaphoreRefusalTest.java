package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** NamedSemaphore's names and files refused (BRIDGE.md N10, N11), each with a message naming the value or path. */
class NamedSemaphoreRefusalTest {
    private final List<Path> files = new ArrayList<>();

    private String name() {
        String n = SemTool.uniqueName();
        files.add(file(n));
        return n;
    }

    private static Path file(String name) {
        return NamedSemaphore.DIR.resolve("sem." + name);
    }

    @AfterEach
    void removeAll() throws Exception {
        for (Path p : files) {
            Files.deleteIfExists(p);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "a/b", "/a/b", ".", "..", "/.", "/..", "nul\0char"})
    void badNamesAreRefusedNamingTheValue(String bad) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> NamedSemaphore.open(bad));
        assertTrue(ex.getMessage().contains("\"" + bad + "\""), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NamedSemaphore.create(bad, 1));
        assertThrows(IllegalArgumentException.class, () -> NamedSemaphore.unlink(bad));
    }

    @Test
    void aNameOverNameMaxIsRefusedAndOneAtTheLimitIsNot() throws Exception {
        String unique = SemTool.uniqueName();
        String longest = "x".repeat(NamedSemaphore.MAX_NAME_BYTES - unique.length()) + unique;
        files.add(file(longest));
        try (NamedSemaphore sem = NamedSemaphore.create(longest, 1)) {
            assertEquals(1, sem.availablePermits());
        }
        String tooLong = longest + "y";
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> NamedSemaphore.open(tooLong));
        assertTrue(ex.getMessage().contains("252 bytes"), ex.getMessage());
    }

    @Test
    void aSymlinkIsRefused() throws Exception {
        String real = name();
        String link = name();
        NamedSemaphore.create(real, 1).close();
        Files.createSymbolicLink(file(link), file(real));
        FileSystemException ex = assertThrows(FileSystemException.class, () -> NamedSemaphore.open(link));
        assertTrue(ex.getMessage().contains(file(link).toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("symbolic link"), ex.getMessage());
    }

    @Test
    void aFileOfTheWrongSizeIsRefused() throws Exception {
        String n = name();
        Files.write(file(n), new byte[31]);
        FileSystemException ex = assertThrows(FileSystemException.class, () -> NamedSemaphore.open(n));
        assertTrue(ex.getMessage().contains(file(n).toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("31 bytes"), ex.getMessage());
    }

    @Test
    void aFileWithoutTheSharedMarkerIsRefused() throws Exception {
        String n = name();
        Files.write(file(n), new byte[32]); // value 0, marker 0: glibc would use private futex ops
        FileSystemException ex = assertThrows(FileSystemException.class, () -> NamedSemaphore.open(n));
        assertTrue(ex.getMessage().contains(file(n).toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("offset 8"), ex.getMessage());
    }

    @Test
    void aDirectoryIsRefused() throws Exception {
        String n = name();
        Files.createDirectory(file(n));
        FileSystemException ex = assertThrows(FileSystemException.class, () -> NamedSemaphore.open(n));
        assertTrue(ex.getMessage().contains("not a regular file"), ex.getMessage());
    }

    @Test
    void aFileOfAnotherOwnerIsRefusedUnlessAsked() throws Exception {
        String n = name();
        NamedSemaphore.create(n, 2).close();
        Path p = file(n);
        try {
            Files.setAttribute(p, "unix:uid", 54321);
        } catch (FileSystemException notRoot) {
            return; // chown needs root; the machines this runs on are (MACHINE-FACTS)
        }
        FileSystemException ex = assertThrows(FileSystemException.class, () -> NamedSemaphore.open(n));
        assertTrue(ex.getMessage().contains("owned by uid 54321"), ex.getMessage());
        try (NamedSemaphore sem = NamedSemaphore.open(n, true)) {
            assertEquals(2, sem.availablePermits());
        }
    }

    @Test
    void createIsExclusiveAndOpenOrCreateOpensTheExistingOne() throws Exception {
        String n = name();
        try (NamedSemaphore first = NamedSemaphore.create(n, 3)) {
            FileAlreadyExistsException ex =
                    assertThrows(FileAlreadyExistsException.class, () -> NamedSemaphore.create(n, 1));
            assertTrue(ex.getMessage().contains(file(n).toString()), ex.getMessage());
            try (NamedSemaphore second = NamedSemaphore.openOrCreate(n, 1)) {
                assertEquals(3, second.availablePermits());
                second.release();
                assertEquals(4, first.availablePermits());
            }
        }
        try (Stream<Path> left = Files.list(NamedSemaphore.DIR)) {
            assertFalse(
                    left.anyMatch(p -> p.getFileName().toString().matches("sem\\.[0-9]{12,}")),
                    "no temporary file left behind");
        }
    }

    @Test
    void createRefusesBadModesAndValues() {
        String n = SemTool.uniqueName();
        assertThrows(IllegalArgumentException.class, () -> NamedSemaphore.create(n, -1));
        assertThrows(IllegalArgumentException.class, () -> NamedSemaphore.create(n, 1, 01000));
        assertFalse(Files.exists(file(n)));
    }

    @Test
    void createAppliesTheMode() throws Exception {
        String n = name();
        NamedSemaphore.create(n, 0, 0640).close();
        assertEquals(
                "rw-r-----",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file(n))));
    }

    @Test
    void unlinkSaysWhetherItRemovedAndOpenThenFails() throws Exception {
        String n = name();
        NamedSemaphore.create(n, 0).close();
        assertTrue(NamedSemaphore.unlink("/" + n));
        assertFalse(NamedSemaphore.unlink(n));
        assertThrows(NoSuchFileException.class, () -> NamedSemaphore.open(n));
    }
}
