package io.rtsem.bridge;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * One file opened by {@code open(2)} with {@code O_NOFOLLOW}, whose attributes and content are read through that
 * descriptor: what N11 checks is then the file that is used, with no window between a check by path and the open
 * (docs/BRIDGE.md, N11). Linux only, like {@code /dev/shm}.
 *
 * <p>The JDK offers no {@code fstat} of an open channel, so the attributes are read from {@code /proc/self/fd/<fd>},
 * which the kernel resolves to the open file itself (not to any path), and a {@link FileChannel} for a mapping is
 * opened on the same magic link, which reopens that very file. NON_RT set-up code: system calls, allocation.
 */
final class NoFollowFile implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 04000;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_NOATIME = 01000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int ELOOP = 40;

    private final Path path;
    private final int fd;
    private final boolean write;
    private boolean closed;

    private NoFollowFile(Path path, int fd, boolean write) {
        this.path = path;
        this.fd = fd;
        this.write = write;
    }

    /**
     * Opens {@code path} without following a symbolic link in its last component ({@code O_NOFOLLOW}), non-blocking
     * (a FIFO planted under the name does not hang the opener) and close-on-exec.
     *
     * @param path the file.
     * @param write {@code true} for read and write, {@code false} for reading only.
     * @param noAtime {@code true} to ask that reading not update the access time ({@code O_NOATIME}; allowed to the
     *     file's owner and to root, and silently dropped for others).
     * @return the open file; close it.
     * @throws NoSuchFileException if there is no such file.
     * @throws FileSystemException naming the path: "is a symbolic link" ({@code ELOOP}), or the {@code errno}.
     */
    static NoFollowFile open(Path path, boolean write, boolean noAtime) throws IOException {
        int flags = (write ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
        int fd = Libc.open(path.toString(), noAtime ? flags | O_NOATIME : flags, 0);
        int errno = fd < 0 ? Native.getLastError() : 0;
        if (fd < 0 && noAtime && errno == EPERM) { // O_NOATIME needs ownership or CAP_FOWNER
            fd = Libc.open(path.toString(), flags, 0);
            errno = fd < 0 ? Native.getLastError() : 0;
        }
        if (fd < 0) {
            if (errno == ENOENT) {
                throw new NoSuchFileException(path.toString());
            }
            if (errno == ELOOP) {
                throw new FileSystemException(
                        path.toString(),
                        null,
                        "refused: is a symbolic link; named semaphores are opened without following links");
            }
            throw new FileSystemException(path.toString(), null, "open failed, errno " + errno);
        }
        return new NoFollowFile(path, fd, write);
    }

    /**
     * The path that names the open file itself, for attribute reads ({@code stat} through it is {@code fstat} on the
     * descriptor). Valid until {@link #close()}.
     *
     * @return {@code /proc/self/fd/<fd>}.
     */
    Path descriptorPath() {
        return Paths.get("/proc/self/fd/" + fd);
    }

    /**
     * Reads {@code length} bytes from offset 0 with {@code pread(2)}: no file position, no lock, no write.
     *
     * @param length bytes wanted.
     * @return a native-order buffer of the bytes read (fewer if the file is shorter).
     * @throws FileSystemException naming the path if {@code pread} fails.
     */
    ByteBuffer read(int length) throws IOException {
        Memory buf = new Memory(length);
        long n = Libc.pread(fd, buf, length, 0L);
        if (n < 0) {
            throw new FileSystemException(path.toString(), null, "pread failed, errno " + Native.getLastError());
        }
        ByteBuffer out = ByteBuffer.allocate((int) n).order(ByteOrder.nativeOrder());
        out.put(buf.getByteArray(0, (int) n)).flip();
        return out;
    }

    /**
     * A channel on this very file (reopened through {@link #descriptorPath()}), with this file's access mode.
     *
     * @return a new channel; close it.
     * @throws IOException if it cannot be opened.
     */
    FileChannel channel() throws IOException {
        return write
                ? FileChannel.open(descriptorPath(), StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(descriptorPath(), new OpenOption[] {StandardOpenOption.READ});
    }

    /** Closes the descriptor. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    /** libc through a JNA direct mapping. */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance("c"));
        }

        static native int open(String path, int flags, int mode);

        static native long pread(int fd, Pointer buf, long count, long offset);

        static native int close(int fd);
    }
}
