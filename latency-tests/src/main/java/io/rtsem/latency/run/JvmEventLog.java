package io.rtsem.latency.run;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Everything the JVM did that can stop a spinning thread, with start and end times: GC pauses,
 * safepoints, JIT deoptimizations and compilations. One of two sources:
 * <ul>
 *   <li>a JFR recording (jdk.GCPhasePause, jdk.GarbageCollection, jdk.SafepointBegin/End,
 *       jdk.ExecuteVMOperation, jdk.Deoptimization, jdk.Compilation, all with threshold 0, plus
 *       rtsem's own {@code io.rtsem.WaitOverBudget}) dumped to {@code run.jfr} in the output
 *       directory, so the same file opens in JDK Mission Control. GC stops are its pauses
 *       (jdk.GCPhasePause, named after their collection's jdk.GarbageCollection): a whole
 *       collection of G1 or ZGC includes concurrent phases during which Java threads run;</li>
 *   <li>without JFR ({@code --no-jfr}, or JFR unavailable): {@link GarbageCollectorMXBean}
 *       notifications, millisecond resolution, a whole collection each (concurrent phases
 *       included, so they may name a collection that did not stop the thread).</li>
 * </ul>
 * NON_RT only: JFR's own threads and the notification thread do the work; {@link #stop} reads
 * the recording file and allocates.
 */
public final class JvmEventLog implements AutoCloseable {

    /** What kind of JVM activity an event is. */
    public enum Kind {
        /** A GC pause (JFR jdk.GCPhasePause): the collector stopped every Java thread. */
        GC,
        /** A GC reported by a GarbageCollectorMXBean notification (only without JFR): its whole duration. */
        GC_NOTIFICATION,
        /** A global safepoint: all Java threads stopped. */
        SAFEPOINT,
        /** Compiled code thrown away: the thread falls back to the interpreter. */
        DEOPTIMIZATION,
        /** A JIT compilation (not a stop by itself, but new code is installed when it ends). */
        COMPILATION
    }

    /**
     * One JVM event on the wall clock.
     *
     * @param kind             what it was
     * @param startEpochNanos  start, nanoseconds since the epoch
     * @param endEpochNanos    end (equal to start for instantaneous events)
     * @param detail           human-readable detail (collector and cause, VM operation, method)
     * @param thread           the Java thread it happened on (deoptimizations), or null for events
     *                         that concern every thread
     */
    public record JvmEvent(Kind kind, long startEpochNanos, long endEpochNanos, String detail, String thread) {
        /**
         * An event that concerns every thread.
         *
         * @param kind            what it was
         * @param startEpochNanos start, nanoseconds since the epoch
         * @param endEpochNanos   end
         * @param detail          human-readable detail
         */
        public JvmEvent(Kind kind, long startEpochNanos, long endEpochNanos, String detail) {
            this(kind, startEpochNanos, endEpochNanos, detail, null);
        }
    }

    private final Recording recording;
    private final List<JvmEvent> notifications = Collections.synchronizedList(new ArrayList<>());
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onGc;
    private final long jvmStartEpochMillis =
            ManagementFactory.getRuntimeMXBean().getStartTime();
    private String jfrProblem;

    /**
     * Starts the JFR recording, or without it the GC listener. NON_RT; allocates.
     *
     * @param withJfr false to skip JFR (GC notifications only)
     */
    public JvmEventLog(boolean withJfr) {
        Recording r = null;
        if (withJfr) {
            try {
                // register rtsem's event class now: registering it at its first commit, mid-run,
                // would redefine the class at a safepoint that stops every thread
                FlightRecorder.register(OverBudgetLog.WaitOverBudgetEvent.class);
                r = new Recording();
                r.setName("rtsem-validate");
                for (String e : List.of(
                        "jdk.GarbageCollection",
                        "jdk.SafepointBegin",
                        "jdk.SafepointEnd",
                        "jdk.ExecuteVMOperation",
                        "jdk.Deoptimization",
                        "jdk.Compilation",
                        "jdk.GCPhasePause")) {
                    r.enable(e).withThreshold(Duration.ZERO);
                }
                r.enable(OverBudgetLog.WaitOverBudgetEvent.class);
                r.setToDisk(true);
                r.start();
            } catch (RuntimeException | Error e) {
                jfrProblem = "JFR unavailable: " + e;
                r = null;
            }
        }
        recording = r;
        if (r != null) {
            return; // JFR has the pauses themselves
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter em) {
                em.addNotificationListener(listener, null, null);
                emitters.add(em);
            }
        }
    }

    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long start = (jvmStartEpochMillis + info.getGcInfo().getStartTime()) * 1_000_000L;
        long end = (jvmStartEpochMillis + info.getGcInfo().getEndTime()) * 1_000_000L;
        notifications.add(new JvmEvent(
                Kind.GC_NOTIFICATION,
                start,
                end,
                info.getGcName() + " (" + info.getGcAction() + ", " + info.getGcCause() + ")"));
    }

    /** @return GC notifications received so far (only without JFR). */
    int notificationCount() {
        return notifications.size();
    }

    /** @return why JFR is not recording, or null if it is. */
    public String jfrProblem() {
        return jfrProblem;
    }

    /**
     * Stops recording, writes the JFR file and returns every event, sorted by start time.
     *
     * @param jfrFile where to dump the recording (ignored without JFR)
     * @return the events
     * @throws IOException if the recording cannot be written or read back
     */
    public List<JvmEvent> stop(Path jfrFile) throws IOException {
        for (NotificationEmitter em : emitters) {
            try {
                em.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
        List<JvmEvent> out = new ArrayList<>(notifications);
        if (recording != null) {
            recording.stop();
            recording.dump(jfrFile);
            recording.close();
            out.addAll(read(jfrFile));
        }
        out.sort((a, b) -> Long.compare(a.startEpochNanos(), b.startEpochNanos()));
        return out;
    }

    private static List<JvmEvent> read(Path file) throws IOException {
        List<JvmEvent> out = new ArrayList<>();
        Map<Long, long[]> safepoints = new HashMap<>();
        List<RecordedEvent> vmOps = new ArrayList<>();
        Map<Integer, String> collections = new HashMap<>();
        List<RecordedEvent> pauses = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            long start = nanos(e.getStartTime());
            long end = nanos(e.getEndTime());
            switch (type) {
                // a whole collection is not a stop (concurrent phases): only named after, for its pauses
                case "jdk.GarbageCollection" ->
                    collections.put(e.getInt("gcId"), e.getString("name") + " (" + e.getString("cause") + ")");
                case "jdk.GCPhasePause" -> pauses.add(e);
                case "jdk.SafepointBegin", "jdk.SafepointEnd" -> {
                    long[] se = safepoints.computeIfAbsent(
                            e.getLong("safepointId"), id -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
                    se[0] = Math.min(se[0], start);
                    se[1] = Math.max(se[1], end);
                }
                case "jdk.ExecuteVMOperation" -> vmOps.add(e);
                case "jdk.Deoptimization" ->
                    out.add(new JvmEvent(
                            Kind.DEOPTIMIZATION,
                            start,
                            end,
                            method(e.getValue("method")) + " line " + e.getInt("lineNumber") + " (reason "
                                    + e.getString("reason") + ", action " + e.getString("action") + ")",
                            e.getThread() == null ? null : e.getThread().getJavaName()));
                case "jdk.Compilation" ->
                    out.add(new JvmEvent(
                            Kind.COMPILATION,
                            start,
                            end,
                            method(e.getValue("method")) + " at tier " + e.getShort("compileLevel")
                                    + (e.getBoolean("isOsr") ? " (OSR)" : "")));
                default -> {
                    // io.rtsem.WaitOverBudget stays in the file for JMC
                }
            }
        }
        for (RecordedEvent p : pauses) {
            String collection = collections.get(p.getInt("gcId"));
            out.add(new JvmEvent(
                    Kind.GC,
                    nanos(p.getStartTime()),
                    nanos(p.getEndTime()),
                    "GC pause "
                            + p.getString("name") + (collection == null ? "" : " of " + collection) + ", "
                            + micros(p.getDuration()) + " us"));
        }
        for (Map.Entry<Long, long[]> sp : safepoints.entrySet()) {
            long s = sp.getValue()[0];
            long en = sp.getValue()[1];
            StringBuilder ops = new StringBuilder();
            for (RecordedEvent op : vmOps) {
                long os = nanos(op.getStartTime());
                if (op.getBoolean("safepoint") && os >= s && os <= en) {
                    ops.append(ops.length() == 0 ? "" : ", ").append(op.getString("operation"));
                }
            }
            out.add(new JvmEvent(
                    Kind.SAFEPOINT,
                    s,
                    en,
                    "safepoint #" + sp.getKey() + (ops.length() == 0 ? "" : " (" + ops + ")") + ", "
                            + micros(Duration.ofNanos(en - s)) + " us"));
        }
        return out;
    }

    private static String method(Object m) {
        if (m instanceof RecordedMethod rm) {
            return rm.getType().getName() + "." + rm.getName();
        }
        return "?";
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static String micros(Duration d) {
        return d == null ? "?" : String.format(java.util.Locale.ROOT, "%.1f", d.toNanos() / 1000.0);
    }

    /** Stops without writing anything (error paths). */
    @Override
    public void close() {
        if (recording != null) {
            recording.close();
        }
    }
}
