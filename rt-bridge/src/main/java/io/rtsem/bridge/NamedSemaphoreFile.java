package io.rtsem.bridge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A snapshot of one named-semaphore file, {@code sem.<name>} in {@code /dev/shm} (rtsem's and glibc's are the same
 * format, docs/BRIDGE.md "Named semaphores"): its value and waiter count as decoded from the 32 bytes, owner, mode,
 * times, and whether it is well formed by the rules {@link NamedSemaphore#open(String)} applies (N11: a regular file,
 * not a symbolic link, 32 bytes, shared marker 128 at offset 8). {@code ./rtsem inspect} prints these.
 *
 * <p>Reading never changes a file: nothing is created, written, locked or mapped. A regular file is opened read-only
 * with {@code O_NOFOLLOW} and {@code O_NOATIME} (so not even its access time moves, where the kernel allows that flag:
 * for the file's owner and for root), its attributes are those of the open descriptor and its 32 bytes are one
 * {@code pread}. Anything else (a symbolic link, a directory, a FIFO, a device) is described from its attributes
 * alone, without being opened. The value and waiter count are a snapshot: they may change while they are printed.
 *
 * <p>NON_RT: file system calls and allocation. Immutable.
 */
public final class NamedSemaphoreFile {
    private final String name;
    private final Path path;
    private final String problem;
    private final long word;
    private final boolean decoded;
    private final int uid;
    private final String owner;
    private final Set<PosixFilePermission> permissions;
    private final FileTime modified;
    private final FileTime changed;

    private NamedSemaphoreFile(
            String name,
            Path path,
            String problem,
            long word,
            boolean decoded,
            int uid,
            String owner,
            Set<PosixFilePermission> permissions,
            FileTime modified,
            FileTime changed) {
        this.name = name;
        this.path = path;
        this.problem = problem;
        this.word = word;
        this.decoded = decoded;
        this.uid = uid;
        this.owner = owner;
        this.permissions = Collections.unmodifiableSet(permissions);
        this.modified = modified;
        this.changed = changed;
    }

    /**
     * Every {@code sem.*} entry of {@code dir} (normally {@code /dev/shm}), sorted by name, well formed or not.
     * Entries that vanish while being read (a semaphore unlinked meanwhile) are left out.
     *
     * @param dir the directory to list.
     * @return the snapshots, possibly empty.
     * @throws IOException if the directory cannot be listed.
     */
    public static List<NamedSemaphoreFile> list(Path dir) throws IOException {
        List<NamedSemaphoreFile> all = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, NamedSemaphore.PREFIX + "*")) {
            for (Path p : entries) {
                try {
                    all.add(readFile(p, p.getFileName().toString().substring(NamedSemaphore.PREFIX.length())));
                } catch (NoSuchFileException gone) {
                    // unlinked between the listing and the read: not there any more
                }
            }
        }
        all.sort(Comparator.comparing(NamedSemaphoreFile::name));
        return all;
    }

    /**
     * The semaphore {@code name} (with or without its leading {@code /}) in {@code dir}.
     *
     * @param dir the directory, normally {@code /dev/shm}.
     * @param name the semaphore's name.
     * @return its snapshot.
     * @throws IllegalArgumentException for a name {@code sem_open} would refuse, naming it.
     * @throws NoSuchFileException if there is no {@code sem.<name>} in {@code dir}.
     * @throws IOException if its attributes cannot be read.
     */
    public static NamedSemaphoreFile read(Path dir, String name) throws IOException {
        String checked = NamedSemaphore.checkName(name);
        return readFile(dir.resolve(NamedSemaphore.PREFIX + checked), checked);
    }

    private static NamedSemaphoreFile readFile(Path p, String name) throws IOException {
        PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Map<String, Object> unix = Files.readAttributes(p, "unix:uid,ctime", LinkOption.NOFOLLOW_LINKS);
        String problem = NamedSemaphore.shapeRefusal(attrs);
        if (problem != null) {
            return of(name, p, problem, 0L, false, unix, attrs);
        }
        try (NoFollowFile file = NoFollowFile.open(p, false, true)) {
            // The descriptor's attributes: a file swapped in under the name after the look above is the one described.
            Path fd = file.descriptorPath();
            attrs = Files.readAttributes(fd, PosixFileAttributes.class);
            unix = Files.readAttributes(fd, "unix:uid,ctime");
            problem = NamedSemaphore.shapeRefusal(attrs);
            if (problem != null) {
                return of(name, p, problem, 0L, false, unix, attrs);
            }
            ByteBuffer bytes = file.read(NamedSemaphore.SIZE);
            if (bytes.remaining() != NamedSemaphore.SIZE) {
                return of(name, p, "could read only " + bytes.remaining() + " of its bytes", 0L, false, unix, attrs);
            }
            problem = NamedSemaphore.markerRefusal(bytes.getInt(NamedSemaphore.MARKER_OFFSET));
            return of(name, p, problem, bytes.getLong(0), true, unix, attrs);
        } catch (FileSystemException e) {
            if (e instanceof NoSuchFileException) {
                throw e;
            }
            final String why =
                    e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            return of(name, p, "cannot be read: " + why, 0L, false, unix, attrs);
        }
    }

    private static NamedSemaphoreFile of(
            String name,
            Path p,
            String problem,
            long word,
            boolean decoded,
            Map<String, Object> unix,
            PosixFileAttributes attrs) {
        return new NamedSemaphoreFile(
                name,
                p,
                problem,
                word,
                decoded,
                (Integer) unix.get("uid"),
                attrs.owner().getName(),
                attrs.permissions(),
                attrs.lastModifiedTime(),
                (FileTime) unix.get("ctime"));
    }

    /**
     * The name, without the {@code sem.} prefix and without a leading {@code /}.
     *
     * @return the name.
     */
    public String name() {
        return name;
    }

    /**
     * The file.
     *
     * @return {@code <dir>/sem.<name>}.
     */
    public Path path() {
        return path;
    }

    /**
     * Whether {@link NamedSemaphore#open(String, boolean)} with {@code anyOwner} would accept the file (N11).
     *
     * @return {@code true} if well formed.
     */
    public boolean wellFormed() {
        return problem == null;
    }

    /**
     * Why the file is not well formed, in N11's words ("is 31 bytes long, not the 32 of a glibc sem_t"), or
     * {@code null}.
     *
     * @return the problem or {@code null}.
     */
    public String problem() {
        return problem;
    }

    /**
     * Whether the 32 bytes were read, so that {@link #value()} and {@link #waiters()} mean something (a file of the
     * right size whose marker is wrong is still decoded).
     *
     * @return {@code true} if decoded.
     */
    public boolean decoded() {
        return decoded;
    }

    /**
     * The value (permits free), the low 32 bits of the word at offset 0; 0 if not {@link #decoded()}.
     *
     * @return the value.
     */
    public long value() {
        return word & 0xFFFF_FFFFL;
    }

    /**
     * The count of possibly sleeping waiters, the high 32 bits of the word; 0 if not {@link #decoded()}.
     *
     * @return the waiter count.
     */
    public long waiters() {
        return word >>> 32;
    }

    /**
     * The owner's numeric uid.
     *
     * @return the uid.
     */
    public int uid() {
        return uid;
    }

    /**
     * The owner's user name (the uid as a number if it has no name).
     *
     * @return the owner.
     */
    public String owner() {
        return owner;
    }

    /**
     * The permission bits.
     *
     * @return an unmodifiable set.
     */
    public Set<PosixFilePermission> permissions() {
        return permissions;
    }

    /**
     * The permission bits as a number ({@code 0600} is 384).
     *
     * @return the mode's permission bits.
     */
    public int mode() {
        int mode = 0;
        for (PosixFilePermission bit : permissions) {
            mode |= 0400 >> bit.ordinal(); // OWNER_READ .. OTHERS_EXECUTE are 0400 .. 0001
        }
        return mode;
    }

    /**
     * The last modification time. Both glibc and rtsem write a semaphore's bytes once, into a temporary file, before
     * linking it into place; later changes go through a shared mapping, which tmpfs does not date. So this is when
     * the semaphore was created.
     *
     * @return the modification time.
     */
    public FileTime modified() {
        return modified;
    }

    /**
     * The last status change ({@code ctime}): the link into place at creation, or a later {@code chmod} or
     * {@code chown}.
     *
     * @return the status change time.
     */
    public FileTime changed() {
        return changed;
    }

    @Override
    public String toString() {
        return "NamedSemaphoreFile[" + path + (problem == null ? "" : ", " + problem)
                + (decoded ? ", value=" + value() + ", waiters=" + waiters() : "") + "]";
    }
}
