package io.rtsem.bridge;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: the scheduling policy and real-time priority of this process's threads as the kernel reports them in
 * {@code /proc/self/task/<tid>/stat} (fields 41 and 40), found by their kernel name ({@code comm}: the Java name,
 * cut to 15 bytes), not as rtsem's bookkeeping says. Public for the tests of {@code io.rtsem.pool}.
 */
public final class KernelThreadStat {
    /** {@code SCHED_OTHER} and {@code SCHED_FIFO} as the stat file numbers them. */
    public static final int OTHER = 0;

    public static final int FIFO = 1;

    /** The thread's tid. */
    public final long tid;
    /** Field 41, the policy. */
    public final int policy;
    /** Field 40, the real-time priority (0 under a policy without one). */
    public final int rtPriority;

    private KernelThreadStat(long tid, int policy, int rtPriority) {
        this.tid = tid;
        this.policy = policy;
        this.rtPriority = rtPriority;
    }

    /**
     * The live threads of this process whose kernel name is {@code comm}.
     *
     * @param comm the name, at most 15 bytes (the kernel keeps no more).
     * @return one entry per thread, in no particular order.
     * @throws IOException if /proc cannot be read.
     */
    public static List<KernelThreadStat> named(String comm) throws IOException {
        if (comm.length() > 15) {
            throw new IllegalArgumentException("comm '" + comm + "' is longer than the kernel's 15 bytes");
        }
        final List<KernelThreadStat> found = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (final Path task : tasks) {
                try {
                    if (Files.readAllLines(task.resolve("comm")).get(0).equals(comm)) {
                        found.add(parse(
                                Long.parseLong(task.getFileName().toString()),
                                Files.readAllLines(task.resolve("stat")).get(0)));
                    }
                } catch (NoSuchFileException ended) {
                    // the thread ended while we looked
                }
            }
        }
        return found;
    }

    /**
     * The one live thread named {@code comm}.
     *
     * @throws AssertionError if there is none or more than one.
     */
    public static KernelThreadStat single(String comm) throws IOException {
        final List<KernelThreadStat> found = named(comm);
        if (found.size() != 1) {
            throw new AssertionError("expected one thread named '" + comm + "' in /proc/self/task, found " + found);
        }
        return found.get(0);
    }

    /**
     * Parses a stat line: the command name (field 2) may hold spaces and parentheses, so fields are counted after the
     * last ')': the first one there is field 3.
     */
    static KernelThreadStat parse(long tid, String stat) {
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new KernelThreadStat(tid, Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3]));
    }

    @Override
    public String toString() {
        return "tid " + tid + " policy " + policy + ", rt_priority " + rtPriority;
    }
}
