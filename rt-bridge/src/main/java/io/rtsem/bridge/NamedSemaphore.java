package io.rtsem.bridge;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.rtsem.core.RtContext;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A named POSIX semaphore, byte-compatible with glibc's {@code sem_open} (x86_64, glibc 2.36): a C program opens the
 * same semaphore with {@code sem_open("/name", 0)}, and two JVMs share one without native code of ours.
 *
 * <p>The file is {@code /dev/shm/sem.<name>}, 32 bytes; the protocol on it (fast-path CAS, registration in the
 * waiter count before a futex sleep, wake on release) is glibc's. Layout and invariants N1-N11 are written out once in
 * {@code docs/BRIDGE.md} ("Named semaphores"); the code cites them by number.
 *
 * <p>Waiting is per context, as with {@code RtSemaphore}: a {@code HARD} thread spins on the shared word and never
 * makes a system call (a release that owes a wake leaves it to the JVM's named wake service, N5); {@code SOFT} spins
 * for a bounded budget, then sleeps in the kernel; {@code NON_RT} spins briefly, then sleeps. The mapping is the JDK's
 * {@link MappedByteBuffer} with a {@link VarHandle} for the CAS; {@code futex} is called through a JNA direct mapping.
 *
 * <p>Thread-safe. POSIX has no undo: permits held by a process that dies are not returned (see BRIDGE.md).
 */
public final class NamedSemaphore implements AutoCloseable {
    /** The largest value a semaphore may hold (glibc's {@code SEM_VALUE_MAX}). */
    public static final int SEM_VALUE_MAX = Integer.MAX_VALUE;

    static final int SIZE = 32;
    static final int MARKER_OFFSET = 8;
    static final int SHARED_MARKER = 128;
    static final Path DIR = Paths.get("/dev/shm");
    static final String PREFIX = "sem.";
    /** NAME_MAX (255) minus the {@code sem.} prefix. */
    static final int MAX_NAME_BYTES = 255 - PREFIX.length();

    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final long ONE_WAITER = 1L << 32;
    private static final long VALUE_MASK = 0xFFFF_FFFFL;
    private static final int CLOCK_CHECK_SPINS = 64;
    private static final int NON_RT_SPINS = 100;
    private static final int SOFT_SPINS = 20_000;
    /** N8: the default longest futex sleep, bounding only how late an interrupt is seen. */
    static final long DEFAULT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * N8: the longest futex sleep now. Tests set it to an hour, so that a lost wake-up of a Java sleeper is a hang
     * (caught by their bounds), not a 10 ms delay (CONTRIBUTING.md: fallback timers at an hour).
     */
    static volatile long sliceNanos = DEFAULT_SLICE_NANOS;

    private static final long SYS_FUTEX = 202;
    private static final int FUTEX_WAKE = 1;
    private static final int FUTEX_WAIT_BITSET = 9;
    private static final int FUTEX_BITSET_MATCH_ANY = -1;

    private final String name;
    private final Path path;
    private final MappedByteBuffer buffer;
    private final long address;
    /** N5: wakes a HARD releaser owed and left to the wake service. */
    final AtomicLong owedWakes = new AtomicLong();

    private volatile boolean closed;

    private NamedSemaphore(String name, Path path, MappedByteBuffer buffer) {
        this.name = name;
        this.path = path;
        this.buffer = buffer;
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
        if (address % Long.BYTES != 0) {
            throw new IllegalStateException(path + ": the mapped word at address 0x" + Long.toHexString(address)
                    + " is not 8-byte aligned, so it cannot be updated atomically");
        }
        if (address % 64 != 0) {
            throw new IllegalStateException(path + ": the mapped word at address 0x" + Long.toHexString(address)
                    + " does not start a cache line (a mapping is page aligned; this one is not)");
        }
    }

    // ---------------------------------------------------------------- creation, opening, unlinking

    /**
     * Creates the named semaphore exclusively with mode {@code 0600}, as {@code sem_open(name, O_CREAT|O_EXCL, 0600,
     * permits)} does (N10). NON_RT only: file system calls, a mapping, allocation.
     *
     * @param name the name, with or without its leading {@code /}.
     * @param permits the initial value, {@code 0..SEM_VALUE_MAX}.
     * @return the open semaphore.
     * @throws FileAlreadyExistsException if a semaphore of that name exists.
     * @throws IOException if the file cannot be written, mapped or linked.
     * @throws IllegalArgumentException for a bad name or a negative value.
     */
    public static NamedSemaphore create(String name, int permits) throws IOException {
        return create(name, permits, 0600);
    }

    /**
     * Creates the named semaphore exclusively with the given mode (N10): the 32 bytes are written to a temporary
     * file, which is then {@code link()}ed into place, so no opener ever sees a half-made semaphore. The process
     * umask applies to {@code mode}, as with {@code sem_open}. NON_RT only: file system calls, a mapping, allocation.
     *
     * @param name the name, with or without its leading {@code /}.
     * @param permits the initial value, {@code 0..SEM_VALUE_MAX}.
     * @param mode permission bits, {@code 0..0777} (octal).
     * @return the open semaphore.
     * @throws FileAlreadyExistsException if a semaphore of that name exists.
     * @throws IOException if the file cannot be written, mapped or linked.
     * @throws IllegalArgumentException for a bad name, value or mode.
     */
    public static NamedSemaphore create(String name, int permits, int mode) throws IOException {
        String checked = checkName(name);
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be 0.." + SEM_VALUE_MAX + ", got " + permits);
        }
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode must be 0..0777 (octal), got 0" + Integer.toOctalString(mode));
        }
        Path target = DIR.resolve(PREFIX + checked);
        Path tmp = Files.createTempFile(DIR, PREFIX, "", PosixFilePermissions.asFileAttribute(permissions(mode)));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
            bytes.putLong(0, permits & VALUE_MASK);
            bytes.putInt(MARKER_OFFSET, SHARED_MARKER);
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            Files.createLink(target, tmp); // link(): EEXIST -> FileAlreadyExistsException naming the target
            NamedSemaphore sem = new NamedSemaphore(checked, target, map);
            WakeServiceHolder.SERVICE.add(sem);
            return sem;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Opens an existing named semaphore owned by the current effective user. NON_RT only: file system calls, a
     * mapping, allocation.
     *
     * @param name the name, with or without its leading {@code /}.
     * @return the open semaphore.
     * @throws NoSuchFileException if there is none of that name.
     * @throws FileSystemException naming the path and the reason, for a file refused by N11 (symbolic link, not a
     *     regular file, size other than 32, another owner, shared marker other than 128).
     * @throws IOException if the file cannot be opened or mapped.
     */
    public static NamedSemaphore open(String name) throws IOException {
        return open(name, false);
    }

    /**
     * Opens an existing named semaphore (N11). NON_RT only: file system calls, a mapping, allocation.
     *
     * @param name the name, with or without its leading {@code /}.
     * @param anyOwner {@code true} to accept a file owned by another user.
     * @return the open semaphore.
     * @throws NoSuchFileException if there is none of that name.
     * @throws FileSystemException naming the path and the reason, for a refused file.
     * @throws IOException if the file cannot be opened or mapped.
     */
    public static NamedSemaphore open(String name, boolean anyOwner) throws IOException {
        String checked = checkName(name);
        Path p = DIR.resolve(PREFIX + checked);
        // A first look by path, without following links: a FIFO or a device planted under the name is never opened
        // (opening a device may have side effects, a FIFO would block).
        String reason = shapeRefusal(Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        if (reason != null) {
            throw refused(p, reason);
        }
        // N11 on the open file itself: opened with O_NOFOLLOW, then every check is on the descriptor's attributes and
        // content, so a file swapped in under the name after the look above is what gets checked (no check-then-open
        // window).
        try (NoFollowFile file = NoFollowFile.open(p, true, false)) {
            Path fd = file.descriptorPath();
            PosixFileAttributes attrs = Files.readAttributes(fd, PosixFileAttributes.class);
            reason = shapeRefusal(attrs);
            if (reason == null && !anyOwner) {
                reason = ownerRefusal((Integer) Files.getAttribute(fd, "unix:uid"), Libc.geteuid());
            }
            if (reason != null) {
                throw refused(p, reason);
            }
            try (FileChannel ch = file.channel()) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
                map.order(ByteOrder.nativeOrder());
                reason = markerRefusal(map.getInt(MARKER_OFFSET));
                if (reason != null) {
                    throw refused(p, reason);
                }
                NamedSemaphore sem = new NamedSemaphore(checked, p, map);
                WakeServiceHolder.SERVICE.add(sem);
                return sem;
            }
        }
    }

    /**
     * N11, the shape: why a file with these attributes (read without following links) is not a glibc {@code sem_t},
     * or {@code null} if it is one (a regular file of 32 bytes). Shared with {@link NamedSemaphoreFile}, so the rule
     * is written once.
     */
    static String shapeRefusal(PosixFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return "is a symbolic link; named semaphores are opened without following links";
        }
        if (!attrs.isRegularFile()) {
            return "is not a regular file";
        }
        if (attrs.size() != SIZE) {
            return "is " + attrs.size() + " bytes long, not the " + SIZE + " of a glibc sem_t";
        }
        return null;
    }

    /** N11, the marker: why this int at offset 8 makes the file unusable, or {@code null} for the shared marker. */
    static String markerRefusal(int marker) {
        if (marker == SHARED_MARKER) {
            return null;
        }
        return "has " + marker + " at offset 8, not the shared marker " + SHARED_MARKER
                + " (any other value makes glibc use private futex ops, losing cross-process wake-ups)";
    }

    /** N11, the owner: why a file of {@code uid} is refused to a process of effective uid {@code me}, or null. */
    static String ownerRefusal(int uid, int me) {
        if (uid == me) {
            return null;
        }
        return "is owned by uid " + uid + ", not by this process's uid " + me
                + " (open(name, true) accepts another owner)";
    }

    /**
     * The effective uid of this process ({@code geteuid()}). NON_RT: one system call.
     *
     * @return the uid.
     */
    static int effectiveUid() {
        return Libc.geteuid();
    }

    /**
     * Opens the named semaphore, creating it with {@code permits} (mode 0600) if it does not exist. NON_RT only.
     *
     * @param name the name, with or without its leading {@code /}.
     * @param permits the initial value if created.
     * @return the open semaphore.
     * @throws IOException as {@link #create(String, int)} and {@link #open(String)}.
     */
    public static NamedSemaphore openOrCreate(String name, int permits) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return create(name, permits);
            } catch (FileAlreadyExistsException exists) {
                try {
                    return open(name);
                } catch (NoSuchFileException gone) {
                    if (attempt >= 10) {
                        throw gone; // created and unlinked by others ten times over: give up
                    }
                }
            }
        }
    }

    /**
     * Removes the name, as {@code sem_unlink} does; processes that have it open keep using it. NON_RT only: one
     * {@code unlink} system call.
     *
     * @param name the name, with or without its leading {@code /}.
     * @return {@code true} if it existed and was removed.
     * @throws IOException if it cannot be removed.
     */
    public static boolean unlink(String name) throws IOException {
        return Files.deleteIfExists(DIR.resolve(PREFIX + checkName(name)));
    }

    // ---------------------------------------------------------------- acquiring

    /**
     * Takes one permit if one is free (N1). Any context: one CAS on the shared word, no allocation, no system call.
     *
     * @return whether a permit was taken.
     */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code permits} permits if that many are free, all or none (N1). Any context: CAS only, no allocation, no
     * system call.
     *
     * @param permits {@code >= 1}.
     * @return whether they were taken.
     */
    public boolean tryAcquire(int permits) {
        checkPermits(permits);
        for (; ; ) {
            long w = word();
            if (value(w) < permits) {
                return false;
            }
            if (cas(w, w - permits)) {
                return true;
            }
        }
    }

    /**
     * Takes one permit, waiting at most {@code timeout} as the caller's context waits: HARD spins (no system call, no
     * allocation); SOFT spins for a budget, then sleeps in {@code futex}; NON_RT spins briefly, then sleeps (N2, N6,
     * N7). A sleeper allocates one 16-byte native timespec.
     *
     * @param timeout how long to wait; {@code <= 0}: do not wait.
     * @param unit its unit.
     * @return whether the permit was taken.
     * @throws InterruptedException if interrupted while waiting (seen within one slice by a sleeper, N8).
     */
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    /**
     * Takes {@code permits} permits, all or none, waiting at most {@code timeout} as the caller's context waits (see
     * {@link #tryAcquire(long, TimeUnit)}).
     *
     * @param permits {@code >= 1}.
     * @param timeout how long to wait; {@code <= 0}: do not wait.
     * @param unit its unit.
     * @return whether they were taken.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        checkPermits(permits);
        if (tryAcquire(permits)) {
            return true;
        }
        long nanos = unit.toNanos(timeout);
        if (nanos <= 0) {
            return false;
        }
        return await(permits, true, System.nanoTime() + nanos);
    }

    /**
     * Takes one permit, waiting as long as it takes as the caller's context waits (see
     * {@link #tryAcquire(long, TimeUnit)}).
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void acquire() throws InterruptedException {
        acquire(1);
    }

    /**
     * Takes {@code permits} permits, all or none, waiting as long as it takes as the caller's context waits.
     *
     * @param permits {@code >= 1}.
     * @throws InterruptedException if interrupted while waiting.
     */
    public void acquire(int permits) throws InterruptedException {
        checkPermits(permits);
        if (!tryAcquire(permits)) {
            await(permits, false, 0L);
        }
    }

    // ---------------------------------------------------------------- releasing

    /**
     * Returns one permit (N4). HARD: one CAS, no system call (a wake owed is left to the wake service, N5); SOFT and
     * NON_RT: one CAS, plus one {@code FUTEX_WAKE} if waiters are registered. No allocation.
     *
     * @throws IllegalStateException if the value would pass {@link #SEM_VALUE_MAX} (glibc's EOVERFLOW).
     */
    public void release() {
        release(1);
    }

    /**
     * Returns {@code permits} permits (N4), waking as many registered sleepers. Contexts, system calls and
     * allocation as {@link #release()}.
     *
     * @param permits {@code >= 1}.
     * @throws IllegalStateException if the value would pass {@link #SEM_VALUE_MAX}; nothing is released then.
     */
    public void release(int permits) {
        checkPermits(permits);
        for (; ; ) {
            long w = word();
            long v = value(w);
            if (v + permits > SEM_VALUE_MAX) {
                throw new IllegalStateException("releasing " + permits + " permits on " + path + " (value " + v
                        + ") would pass SEM_VALUE_MAX " + SEM_VALUE_MAX + " (EOVERFLOW)");
            }
            if (cas(w, w + permits)) {
                if (waiters(w) != 0) {
                    wakeOrDefer(permits);
                }
                return;
            }
        }
    }

    /**
     * The value now: permits free at the moment of the read. Any context: one volatile read.
     *
     * @return the value.
     */
    public int availablePermits() {
        return (int) value(word());
    }

    /**
     * The count of possibly sleeping waiters in the shared word (all processes). Any context: one volatile read.
     *
     * @return the high 32 bits of the word.
     */
    public int registeredWaiters() {
        return (int) waiters(word());
    }

    /**
     * The name, without leading {@code /}. Any context: no allocation, no system call.
     *
     * @return the name.
     */
    public String name() {
        return name;
    }

    /**
     * The file, {@code /dev/shm/sem.<name>}. Any context: no allocation, no system call.
     *
     * @return the path.
     */
    public Path path() {
        return path;
    }

    /**
     * Stops this instance's use by the wake service after issuing any wake it still owes (N5). The file is not
     * removed ({@link #unlink(String)} does that) and the mapping is released when the instance is collected, as a
     * JDK mapping is; threads still waiting on this instance keep working, and so do NON_RT and SOFT releases. A HARD
     * release after {@code close()} leaves its owed wake to nobody (the service no longer polls this instance), so a
     * sleeper in another process would wait for the next non-HARD release: close an instance only after its HARD
     * users are done with it. NON_RT; idempotent; may make one {@code FUTEX_WAKE}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        WakeServiceHolder.SERVICE.remove(this);
        issueOwedWakes();
    }

    @Override
    public String toString() {
        long w = word();
        return "NamedSemaphore[" + path + ", value=" + value(w) + ", waiters=" + waiters(w) + "]";
    }

    // ---------------------------------------------------------------- the protocol

    private boolean await(int permits, boolean timed, long deadline) throws InterruptedException {
        RtContext ctx = RtContext.current();
        int budget = ctx == RtContext.HARD ? Integer.MAX_VALUE : ctx == RtContext.SOFT ? SOFT_SPINS : NON_RT_SPINS;
        // Spin phase (N6; the first phase of N7): the clock and the interrupt flag every CLOCK_CHECK_SPINS spins.
        for (int spins = 1; ; spins++) {
            Thread.onSpinWait();
            if (tryAcquire(permits)) {
                return true;
            }
            if (spins % CLOCK_CHECK_SPINS == 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for " + permits + " permits on " + path);
                }
                if (timed && System.nanoTime() - deadline >= 0) {
                    return false;
                }
                if (spins >= budget && ctx != RtContext.HARD) {
                    break;
                }
            }
        }
        return sleep(permits, timed, deadline);
    }

    /** N2, N3, N8, N9: register, futex-wait in slices, leave by the CAS that takes or by deregistering. */
    private boolean sleep(int permits, boolean timed, long deadline) throws InterruptedException {
        for (; ; ) { // register (N2), unless the permits are there
            long w = word();
            if (value(w) >= permits) {
                if (cas(w, w - permits)) {
                    return true;
                }
            } else if (cas(w, w + ONE_WAITER)) {
                break;
            }
        }
        Memory timespec = new Memory(16);
        long passedOnAt = -1;
        for (; ; ) {
            long w = word();
            long v = value(w);
            if (v >= permits) {
                if (cas(w, w - permits - ONE_WAITER)) { // take and deregister in one CAS (N3)
                    return true;
                }
                continue;
            }
            if (v > 0 && v != passedOnAt && waiters(w) > 1) {
                futexWake(1); // N9: a wake this waiter cannot use may have been meant for a single-permit waiter
                passedOnAt = v;
            }
            if (Thread.interrupted()) {
                leave();
                throw new InterruptedException("interrupted while waiting for " + permits + " permits on " + path);
            }
            long now = System.nanoTime();
            if (timed && now - deadline >= 0) {
                leave();
                return false;
            }
            long slice = sliceNanos;
            long wakeAt = (timed && deadline - now < slice) ? deadline : now + slice;
            // System.nanoTime() is CLOCK_MONOTONIC on Linux, the clock FUTEX_WAIT_BITSET uses without
            // FUTEX_CLOCK_REALTIME: wakeAt is an absolute deadline on that clock (N8).
            timespec.setLong(0, Math.floorDiv(wakeAt, 1_000_000_000L));
            timespec.setLong(8, Math.floorMod(wakeAt, 1_000_000_000L));
            Libc.syscall(SYS_FUTEX, address, FUTEX_WAIT_BITSET, (int) v, timespec, 0L, FUTEX_BITSET_MATCH_ANY);
        }
    }

    /** N3: deregister empty-handed; pass a wake on if permits are free and somebody else sleeps (it may be ours). */
    private void leave() {
        for (; ; ) {
            long w = word();
            long next = w - ONE_WAITER;
            if (cas(w, next)) {
                if (value(next) > 0 && waiters(next) != 0) {
                    futexWake(1);
                }
                return;
            }
        }
    }

    private void wakeOrDefer(int permits) {
        if (RtContext.current() == RtContext.HARD) {
            owedWakes.getAndAdd(permits); // N5: no system call on a HARD thread
        } else {
            futexWake(permits);
        }
    }

    /** Called by the wake service and close(): issues the wakes HARD releasers left (N5). */
    void issueOwedWakes() {
        long owed = owedWakes.getAndSet(0);
        if (owed > 0) {
            futexWake((int) Math.min(owed, Integer.MAX_VALUE));
        }
    }

    private void futexWake(int count) {
        Libc.syscall(SYS_FUTEX, address, FUTEX_WAKE, count, null, 0L, 0);
    }

    long word() {
        return (long) WORD.getVolatile(buffer, 0);
    }

    private boolean cas(long expected, long next) {
        return WORD.compareAndSet(buffer, 0, expected, next);
    }

    private static long value(long w) {
        return w & VALUE_MASK;
    }

    private static long waiters(long w) {
        return w >>> 32;
    }

    private static void checkPermits(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, got " + permits);
        }
    }

    /**
     * Validates a semaphore name as sem_open would accept it here: leading {@code /} stripped; then not empty, no
     * {@code /}, not {@code .} or {@code ..}, no NUL, at most {@link #MAX_NAME_BYTES} bytes.
     */
    static String checkName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("named semaphore name is null");
        }
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (n.isEmpty()) {
            throw new IllegalArgumentException("named semaphore name \"" + name + "\" is empty");
        }
        if (n.indexOf('/') >= 0) {
            throw new IllegalArgumentException(
                    "named semaphore name \"" + name + "\" contains '/' after its leading one");
        }
        if (n.equals(".") || n.equals("..")) {
            throw new IllegalArgumentException("named semaphore name \"" + name + "\" is '.' or '..'");
        }
        if (n.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("named semaphore name \"" + name + "\" contains a NUL character");
        }
        int bytes = n.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("named semaphore name \"" + name + "\" is " + bytes
                    + " bytes long, over the " + MAX_NAME_BYTES + " allowed (NAME_MAX 255 minus \"sem.\")");
        }
        return n;
    }

    private static FileSystemException refused(Path p, String reason) {
        return new FileSystemException(p.toString(), null, "refused: " + reason);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, 0400 .. 0001
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    /** libc through a JNA direct mapping (the varargs interface mapping costs ~10x more, MACHINE-FACTS). */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance("c"));
        }

        static native long syscall(long number, long uaddr, int op, int val, Pointer timeout, long uaddr2, int val3);

        static native int geteuid();
    }

    private static final class WakeServiceHolder {
        static final NamedWakeService SERVICE = new NamedWakeService();
    }

    /**
     * N5: one daemon thread per JVM issuing the wakes HARD releasers owe. Parks without timeout while no named
     * semaphore is open; otherwise polls every {@link #FAST_POLL_NANOS} while a shared word shows registered waiters
     * and a HARD thread exists in this JVM ({@link RtContext#hardInUse()}: only HARD releases owe wakes), every
     * {@link #SLOW_POLL_NANOS} otherwise.
     */
    static final class NamedWakeService implements Runnable {
        static final long FAST_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
        static final long SLOW_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

        private final CopyOnWriteArrayList<NamedSemaphore> open = new CopyOnWriteArrayList<>();
        private final Thread thread;

        NamedWakeService() {
            thread = new Thread(this, "rtsem-named-wake-service");
            thread.setDaemon(true);
            thread.start();
        }

        void add(NamedSemaphore sem) {
            open.add(sem);
            LockSupport.unpark(thread);
        }

        void remove(NamedSemaphore sem) {
            open.remove(sem);
        }

        @Override
        public void run() {
            for (; ; ) {
                if (open.isEmpty()) {
                    LockSupport.park(this);
                    continue;
                }
                boolean anyWaiters = false;
                for (NamedSemaphore sem : open) {
                    sem.issueOwedWakes();
                    anyWaiters |= waiters(sem.word()) != 0;
                }
                // Only a HARD release of this JVM leaves a wake owed (N5): without a HARD thread, fast polling would
                // buy nothing (a fifth of a CPU while anybody sleeps, docs/BRIDGE.md); the slow poll still sees the
                // first HARD thread's owed wakes within a millisecond.
                LockSupport.parkNanos(this, anyWaiters && RtContext.hardInUse() ? FAST_POLL_NANOS : SLOW_POLL_NANOS);
            }
        }
    }
}
