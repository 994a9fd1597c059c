package io.rtsem.latency.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.openhft.affinity.impl.LinuxHelper;

/**
 * Keeps every thread of this JVM off the real-time CPUs, as {@code isolcpus} or a cpuset would in
 * production: each thread listed in {@code /proc/self/task} (the harness, JIT compiler threads,
 * the VM thread, GC workers, the service, signal and notification threads, JFR's threads, test
 * runner threads ...) gets the housekeeping CPUs as its affinity mask with
 * {@code sched_setaffinity(tid, mask)} (OpenHFT's {@link LinuxHelper}, through JNA), and gets its
 * own mask back at {@link #close}.
 *
 * <p>Limitation: a thread that exists at neither {@link #sweep} inherits the mask of the thread
 * that creates it. Threads created by a confined thread (a compiler thread added by
 * {@code UseDynamicNumberOfCompilerThreads}, a GC worker added by the VM, JFR's threads started
 * by the harness) are therefore confined too, but a thread created by a pinned real-time thread
 * would run on that thread's CPU.
 *
 * <p>NON_RT only: reads {@code /proc}, makes one system call per thread, allocates. One harness
 * thread uses an instance.
 */
public final class ThreadConfinement implements AutoCloseable {
    private static final Path TASKS = Path.of("/proc/self/task");

    private final BitSet housekeeping;
    private final BitSet fallback;
    private final Map<Integer, BitSet> saved = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    /**
     * Confines every thread of the process that exists now to {@code housekeeping}. NON_RT;
     * allocates; one {@code sched_setaffinity} per thread.
     *
     * @param housekeeping the CPUs every thread may use from now on (not empty)
     * @param fallback     the mask {@link #close} gives threads created after this call that
     *                     still have exactly the housekeeping mask (the harness's mask before)
     */
    public ThreadConfinement(BitSet housekeeping, BitSet fallback) {
        if (housekeeping.isEmpty()) {
            throw new IllegalArgumentException("no housekeeping CPU");
        }
        this.housekeeping = (BitSet) housekeeping.clone();
        this.fallback = (BitSet) fallback.clone();
        sweep(Set.of());
    }

    /** @return whether this kernel lists a process's threads in {@code /proc/self/task}. */
    public static boolean supported() {
        return Files.isDirectory(TASKS);
    }

    /**
     * Confines every thread not confined yet (threads created since the last sweep by a thread
     * that was not confined). NON_RT; allocates.
     *
     * @param exempt native thread ids to leave alone (pinned real-time threads)
     * @return how many threads were moved by this call
     */
    public int sweep(Set<Integer> exempt) {
        int moved = 0;
        for (int tid : tids()) {
            if (exempt.contains(tid) || saved.containsKey(tid)) {
                continue;
            }
            BitSet before = allowedCpus(tid);
            if (before == null) {
                continue; // the thread ended meanwhile
            }
            if (set(tid, housekeeping)) {
                saved.put(tid, before);
                moved++;
            }
        }
        return moved;
    }

    /** @return how many threads are confined (and will get their mask back). */
    public int confined() {
        return saved.size();
    }

    /** @return the housekeeping CPUs. */
    public BitSet housekeeping() {
        return (BitSet) housekeeping.clone();
    }

    /** @return threads that could not be moved or restored (not ones that ended), with the reason. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Gives every confined thread that still runs its previous mask, and threads created since
     * that still have exactly the housekeeping mask the fallback mask. NON_RT; allocates.
     */
    @Override
    public void close() {
        for (int tid : tids()) {
            BitSet before = saved.get(tid);
            if (before != null) {
                set(tid, before);
            } else if (housekeeping.equals(allowedCpus(tid))) {
                set(tid, fallback);
            }
        }
        saved.clear();
    }

    private boolean set(int tid, BitSet mask) {
        try {
            LinuxHelper.sched_setaffinity(tid, mask);
            return true;
        } catch (RuntimeException | Error e) {
            if (Files.exists(TASKS.resolve(Integer.toString(tid)))) {
                problems.add("thread " + tid + " (" + name(tid) + "): " + e.getMessage());
            }
            return false;
        }
    }

    /** @return the native ids of this process's threads now. */
    public static List<Integer> tids() {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(TASKS)) {
            s.forEach(p -> out.add(Integer.parseInt(p.getFileName().toString())));
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /**
     * @param tid a native thread id of this process
     * @return its {@code Cpus_allowed_list}, or null if the thread is gone
     */
    public static BitSet allowedCpus(int tid) {
        try {
            for (String line : Files.readAllLines(TASKS.resolve(tid + "/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parseCpuList(line.substring(line.indexOf(':') + 1));
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /**
     * @param tid a native thread id of this process
     * @return its name ({@code comm}, at most 15 characters), or {@code "?"} if gone
     */
    public static String name(int tid) {
        try {
            return Files.readString(TASKS.resolve(tid + "/comm")).strip();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * @param list a kernel CPU list such as {@code 0-2,5}
     * @return the CPUs it names
     */
    public static BitSet parseCpuList(String list) {
        BitSet b = new BitSet();
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                b.set(Integer.parseInt(part));
            } else {
                b.set(Integer.parseInt(part.substring(0, dash)), Integer.parseInt(part.substring(dash + 1)) + 1);
            }
        }
        return b;
    }
}
