package io.rtsem.latency.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What the OS scheduler did to the scenario threads: CPU migrations and involuntary context
 * switches (preemptions), read from {@code /proc/self/task/<tid>/sched} (or {@code status} where
 * the kernel has no sched file), and the time each spent runnable but waiting for a CPU
 * ({@code run_delay}, the second field of {@code /proc/self/task/<tid>/schedstat}), every few milliseconds by the
 * harness. A change is known only to have happened within a sampling window, so it is reported as "in the same
 * window" as an outlier.
 *
 * <p>One harness thread (NON_RT); reads files. Each watched thread's two files are opened once ({@link #watch}) and
 * re-read from offset 0 into one reused buffer ({@code pread}), parsed in place: a sample allocates nothing unless it
 * records a change (the harness samples every 5 ms for the whole run; what the harness allocates meanwhile fills the
 * young generation that a collection must then empty). {@link #close} closes them.
 */
public final class ThreadSchedMonitor implements AutoCloseable {
    private static final byte[] MIGRATIONS = "se.nr_migrations".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INVOLUNTARY = "nr_involuntary_switches".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INVOLUNTARY_STATUS = "nonvoluntary_ctxt_switches".getBytes(StandardCharsets.US_ASCII);

    /**
     * Changes seen for one thread between two samples.
     *
     * @param thread            scenario thread name
     * @param fromEpochNanos    previous sample
     * @param toEpochNanos      this sample
     * @param migrations        CPU migrations in the window
     * @param involuntary       involuntary context switches (preemptions) in the window
     * @param runDelayNanos     time the thread spent runnable but not running (waiting for a CPU) in the window,
     *                          {@code schedstat}'s {@code run_delay}; {@link #UNKNOWN} where the kernel has no
     *                          schedstat file
     */
    public record SchedChange(
            String thread,
            long fromEpochNanos,
            long toEpochNanos,
            long migrations,
            long involuntary,
            long runDelayNanos) {
        /** {@link #runDelayNanos} of a thread whose schedstat file could not be read. */
        public static final long UNKNOWN = -1;
    }

    private final List<String> names = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private final List<FileChannel> fileChannels = new ArrayList<>();
    private final List<FileChannel> schedstatChannels = new ArrayList<>();
    private final List<long[]> last = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    private long[] scratch = new long[3];
    private final List<SchedChange> changes = new ArrayList<>();
    private final long epochOffsetNanos;
    private long lastSampleEpochNanos;

    /** @param epochOffsetNanos add to {@code nanoTime} for nanoseconds since the epoch */
    public ThreadSchedMonitor(long epochOffsetNanos) {
        this.epochOffsetNanos = epochOffsetNanos;
    }

    /**
     * Adds a thread to watch; ignored when the tid is unknown.
     *
     * @param name scenario thread name
     * @param tid  its Linux thread id, or -1
     */
    public void watch(String name, long tid) {
        if (tid <= 0) {
            return;
        }
        Path dir = Path.of("/proc/self/task/" + tid);
        Path f = Files.exists(dir.resolve("sched")) ? dir.resolve("sched") : dir.resolve("status");
        names.add(name);
        files.add(f);
        fileChannels.add(open(f));
        schedstatChannels.add(open(dir.resolve("schedstat")));
        long[] v = new long[3];
        read(fileChannels.size() - 1, v);
        last.add(v);
    }

    private static FileChannel open(Path f) {
        try {
            return FileChannel.open(f, StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            return null; // read as "gone"
        }
    }

    /** Closes the watched threads' files; {@link #changes} stays readable. */
    @Override
    public void close() {
        for (List<FileChannel> l : List.of(fileChannels, schedstatChannels)) {
            for (FileChannel c : l) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (IOException ignored) {
                    // a /proc file: nothing to flush
                }
            }
        }
    }

    /** Samples every watched thread and records changes since the previous sample. */
    public void sample() {
        long now = System.nanoTime() + epochOffsetNanos;
        for (int i = 0; i < files.size(); i++) {
            long[] v = scratch;
            read(i, v);
            long[] p = last.get(i);
            if (v[0] >= 0 && p[0] >= 0 && (v[0] != p[0] || v[1] != p[1] || v[2] != p[2])) {
                long runDelay = v[2] >= 0 && p[2] >= 0 ? v[2] - p[2] : SchedChange.UNKNOWN;
                changes.add(
                        new SchedChange(names.get(i), lastSampleEpochNanos, now, v[0] - p[0], v[1] - p[1], runDelay));
            }
            if (v[0] >= 0) {
                scratch = p; // swap: the previous sample's array is reused for the next read
                last.set(i, v);
            }
        }
        lastSampleEpochNanos = now;
    }

    /** @return every change seen, in sampling order. */
    public List<SchedChange> changes() {
        return changes;
    }

    /** @return whether per-thread migration counts are available (a sched file exists). */
    public boolean migrationsVisible() {
        return files.stream().anyMatch(f -> f.getFileName().toString().equals("sched"));
    }

    /**
     * Reads watched thread {@code i} into {@code v}: {migrations, involuntary switches, run_delay ns (-1 if
     * unreadable)}, or {-1, -1, -1} if the thread is gone. Allocates nothing.
     */
    private void read(int i, long[] v) {
        int n = readFully(fileChannels.get(i));
        if (n < 0) {
            v[0] = v[1] = v[2] = -1;
            return;
        }
        byte[] b = buffer.array();
        long involuntary = valueAfter(b, n, INVOLUNTARY);
        if (involuntary == -1) {
            involuntary = valueAfter(b, n, INVOLUNTARY_STATUS);
        }
        long migrations = valueAfter(b, n, MIGRATIONS);
        v[0] = migrations < 0 ? 0 : migrations;
        v[1] = involuntary;
        int m = readFully(schedstatChannels.get(i));
        v[2] = m < 0 ? -1 : secondField(b, m);
    }

    /** Reads a whole /proc file from offset 0 into {@link #buffer}; returns its length, or -1 if unreadable. */
    private int readFully(FileChannel c) {
        if (c == null) {
            return -1;
        }
        buffer.clear();
        try {
            int r;
            while (buffer.hasRemaining() && (r = c.read(buffer, buffer.position())) > 0) {
                buffer.position(buffer.position() + r);
            }
        } catch (IOException | RuntimeException e) {
            return -1; // the thread is gone (ESRCH) or the file is unreadable
        }
        // a file that filled the buffer may have been cut short: read as unreadable rather than parse half of it
        return buffer.hasRemaining() ? buffer.position() : -1;
    }

    /**
     * The number after the ':' of the line that starts with {@code key} followed by blanks and ':' in
     * {@code b[0, n)}, -1 if there is none. Allocates nothing.
     */
    static long valueAfter(byte[] b, int n, byte[] key) {
        int lineStart = 0;
        while (lineStart < n) {
            if (startsWith(b, lineStart, n, key)) {
                int j = lineStart + key.length;
                while (j < n && (b[j] == ' ' || b[j] == '\t')) {
                    j++;
                }
                if (j < n && b[j] == ':') {
                    return number(b, j + 1, n);
                }
                // a longer key that starts with this one ("se.nr_migrations_x"): not it, look further
            }
            while (lineStart < n && b[lineStart] != '\n') {
                lineStart++;
            }
            lineStart++;
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int at, int n, byte[] key) {
        if (at + key.length > n) {
            return false;
        }
        for (int k = 0; k < key.length; k++) {
            if (b[at + k] != key[k]) {
                return false;
            }
        }
        return true;
    }

    /** The decimal number at {@code from} (after blanks) in {@code b[from, n)}, -1 if there is none. */
    private static long number(byte[] b, int from, int n) {
        int j = from;
        while (j < n && (b[j] == ' ' || b[j] == '\t')) {
            j++;
        }
        long v = 0;
        int digits = 0;
        while (j < n && b[j] >= '0' && b[j] <= '9') {
            v = v * 10 + (b[j] - '0');
            j++;
            digits++;
        }
        return digits == 0 ? -1 : v;
    }

    /** The second blank-separated field of {@code b[0, n)} as a number (schedstat's run_delay), -1 if none. */
    static long secondField(byte[] b, int n) {
        int j = 0;
        while (j < n && b[j] == ' ') {
            j++;
        }
        while (j < n && b[j] != ' ' && b[j] != '\n') {
            j++;
        }
        return j < n && b[j] == ' ' ? number(b, j, n) : -1;
    }

    /**
     * @param schedstat the text of a {@code schedstat} file
     * @return its second field (run_delay, nanoseconds), or -1 if it has none or it is not a number
     */
    static long parseRunDelay(String schedstat) {
        byte[] b = schedstat.getBytes(StandardCharsets.US_ASCII);
        return secondField(b, b.length);
    }
}
