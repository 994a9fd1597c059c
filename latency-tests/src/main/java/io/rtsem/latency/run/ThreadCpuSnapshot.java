package io.rtsem.latency.run;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of every thread of this JVM at one moment ({@link ThreadMXBean#getThreadCpuTime}), so
 * that a phase can report who used the CPUs: the scenario threads, the harness, the bridge's
 * wake service, JFR, the JIT. On a 2-CPU machine that is often the explanation of an outlier.
 * NON_RT; allocates.
 */
public final class ThreadCpuSnapshot {
    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> cpuNanos = new HashMap<>();

    private ThreadCpuSnapshot() {}

    /** @return the CPU time of every live thread now (empty where the JVM cannot measure it). */
    public static ThreadCpuSnapshot take() {
        ThreadCpuSnapshot s = new ThreadCpuSnapshot();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported()) {
            return s;
        }
        if (!mx.isThreadCpuTimeEnabled()) {
            mx.setThreadCpuTimeEnabled(true);
        }
        for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti == null) {
                continue;
            }
            long t = mx.getThreadCpuTime(ti.getThreadId());
            if (t >= 0) {
                s.names.put(ti.getThreadId(), ti.getThreadName());
                s.cpuNanos.put(ti.getThreadId(), t);
            }
        }
        return s;
    }

    /**
     * CPU milliseconds each thread used since {@code before}, largest first; threads with the same
     * name are added up. Threads that ended in between are missing (their time is lost) unless given to
     * {@link #since(ThreadCpuSnapshot, int, Map)}.
     *
     * @param before an earlier snapshot
     * @param limit  how many threads to keep
     * @return thread name to CPU milliseconds
     */
    public Map<String, Double> since(ThreadCpuSnapshot before, int limit) {
        return since(before, limit, Map.of());
    }

    /**
     * As {@link #since(ThreadCpuSnapshot, int)}, with the CPU time of threads that ended before this snapshot was
     * taken, as they reported it when they ended (threads started after {@code before}: all their time counts).
     *
     * @param before an earlier snapshot
     * @param limit  how many threads to keep
     * @param ended  thread name to CPU nanoseconds, for threads this snapshot did not see alive
     * @return thread name to CPU milliseconds
     */
    public Map<String, Double> since(ThreadCpuSnapshot before, int limit, Map<String, Long> ended) {
        Map<String, Double> byName = new HashMap<>();
        for (Map.Entry<String, Long> e : ended.entrySet()) {
            if (e.getValue() > 0 && !names.containsValue(e.getKey())) {
                byName.merge(e.getKey(), e.getValue() / 1e6, Double::sum);
            }
        }
        for (Map.Entry<Long, Long> e : cpuNanos.entrySet()) {
            long prev = before.cpuNanos.getOrDefault(e.getKey(), 0L);
            double ms = (e.getValue() - prev) / 1e6;
            if (ms > 0) {
                byName.merge(names.get(e.getKey()), ms, Double::sum);
            }
        }
        List<Map.Entry<String, Double>> list = new ArrayList<>(byName.entrySet());
        list.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : list.subList(0, Math.min(limit, list.size()))) {
            out.put(e.getKey(), Math.round(e.getValue() * 10.0) / 10.0);
        }
        return out;
    }
}
