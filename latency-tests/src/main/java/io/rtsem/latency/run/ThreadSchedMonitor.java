package io.rtsem.latency.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>One harness thread (NON_RT); reads files, allocates.
 */
public final class ThreadSchedMonitor {

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
    private final List<Path> schedstats = new ArrayList<>();
    private final List<long[]> last = new ArrayList<>();
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
        schedstats.add(dir.resolve("schedstat"));
        last.add(read(f, dir.resolve("schedstat")));
    }

    /** Samples every watched thread and records changes since the previous sample. */
    public void sample() {
        long now = System.nanoTime() + epochOffsetNanos;
        for (int i = 0; i < files.size(); i++) {
            long[] v = read(files.get(i), schedstats.get(i));
            long[] p = last.get(i);
            if (v[0] >= 0 && p[0] >= 0 && (v[0] != p[0] || v[1] != p[1] || v[2] != p[2])) {
                long runDelay = v[2] >= 0 && p[2] >= 0 ? v[2] - p[2] : SchedChange.UNKNOWN;
                changes.add(
                        new SchedChange(names.get(i), lastSampleEpochNanos, now, v[0] - p[0], v[1] - p[1], runDelay));
            }
            if (v[0] >= 0) {
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
     * @return {migrations, involuntary switches, run_delay ns (-1 if unreadable)}, or {-1, -1, -1} if the thread is
     *         gone.
     */
    private static long[] read(Path f, Path schedstat) {
        long migrations = 0;
        long involuntary = -1;
        try {
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith("se.nr_migrations")) {
                    migrations = value(line);
                } else if (line.startsWith("nr_involuntary_switches")
                        || line.startsWith("nonvoluntary_ctxt_switches")) {
                    involuntary = value(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1, -1};
        }
        return new long[] {migrations, involuntary, runDelay(schedstat)};
    }

    /**
     * @param schedstat a thread's {@code schedstat}: "time on CPU, run_delay, timeslices", nanoseconds
     * @return its run_delay, or -1 if the file is missing or malformed (a kernel without CONFIG_SCHED_INFO)
     */
    static long runDelay(Path schedstat) {
        try {
            return parseRunDelay(Files.readString(schedstat));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * @param schedstat the text of a {@code schedstat} file
     * @return its second field (run_delay, nanoseconds), or -1 if it has none or it is not a number
     */
    static long parseRunDelay(String schedstat) {
        String[] f = schedstat.trim().split("\\s+");
        if (f.length < 2) {
            return -1;
        }
        try {
            return Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long value(String line) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
    }
}
