package io.rtsem.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test support: a thread's scheduling policy and real-time priority as the kernel reports them in
 * {@code /proc/self/task/<tid>/stat} (fields 41 and 40), not as rtsem's bookkeeping says.
 */
final class ThreadStat {
    /** {@code SCHED_OTHER}, {@code SCHED_FIFO}, {@code SCHED_RR} as the stat file numbers them. */
    static final int OTHER = 0;

    static final int FIFO = 1;
    static final int RR = 2;

    final int policy;
    final int rtPriority;
    /** The nice value (field 19). */
    final int nice;

    private ThreadStat(int policy, int rtPriority, int nice) {
        this.policy = policy;
        this.rtPriority = rtPriority;
        this.nice = nice;
    }

    /** The calling thread's, from {@code /proc/thread-self/stat}. */
    static ThreadStat ofCurrentThread() throws IOException {
        return parse(Files.readString(Path.of("/proc/thread-self/stat")));
    }

    /** Thread {@code tid} of this process, from {@code /proc/self/task/<tid>/stat}. */
    static ThreadStat ofThread(long tid) throws IOException {
        return parse(Files.readString(Path.of("/proc/self/task/" + tid + "/stat")));
    }

    /** The calling thread's tid, from the {@code /proc/thread-self} link ("pid/task/tid"). */
    static long currentTid() throws IOException {
        final String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
    }

    /**
     * Parses a stat line: the command name (field 2) may hold spaces and parentheses, so fields are counted after the
     * last ')': the first one there is field 3.
     */
    static ThreadStat parse(String stat) {
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new ThreadStat(Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3]), Integer.parseInt(f[19 - 3]));
    }

    @Override
    public String toString() {
        return "policy " + policy + ", rt_priority " + rtPriority;
    }
}
