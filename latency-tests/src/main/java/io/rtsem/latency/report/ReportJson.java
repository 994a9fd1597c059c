package io.rtsem.latency.report;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtContext;
import io.rtsem.latency.config.Budget;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.ThreadSpec;
import io.rtsem.latency.machine.MachineState;
import io.rtsem.latency.report.Attribution.Cause;
import io.rtsem.latency.run.CpuGapMeter;
import io.rtsem.latency.run.InversionEpisodes;
import io.rtsem.latency.run.JvmEventLog;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.Metric;
import io.rtsem.latency.run.RunResult;
import io.rtsem.latency.run.SubjectResult;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import io.rtsem.latency.run.ValidationRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code report.json} document of a judged run ({@link RunReport}), as nested maps and lists in document order
 * (schema in {@code docs/LATENCY.md}, version {@value RunReport#SCHEMA_VERSION}). NON_RT; allocates.
 */
final class ReportJson {
    private ReportJson() {}

    /**
     * @param report the judged run
     * @return its report.json document (see docs/LATENCY.md)
     */
    static Map<String, Object> of(RunReport report) {
        RunResult run = report.run();
        Scenario sc = run.scenario();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", RunReport.SCHEMA_VERSION);
        root.put("unit", "us");
        Map<String, Object> scenario = new LinkedHashMap<>();
        scenario.put("name", sc.name());
        scenario.put("description", sc.description());
        scenario.put("file", sc.file());
        scenario.put("warmupMs", sc.warmupNanos() / 1e6);
        scenario.put("durationMs", sc.durationNanos() / 1e6);
        scenario.put("floorMs", sc.floorNanos() / 1e6);
        scenario.put("intervalMs", sc.intervalNanos() / 1e6);
        scenario.put("sliceMs", sc.sliceNanos() / 1e6);
        Map<String, Object> sem = new LinkedHashMap<>();
        sem.put("permits", sc.semaphore().permits());
        sem.put("maxPermits", sc.semaphore().maxPermits());
        sem.put("binary", sc.semaphore().binary());
        Map<String, String> strategies = new LinkedHashMap<>();
        sc.semaphore().strategies().forEach((k, v) -> strategies.put(k.name(), v));
        sem.put("strategies", strategies);
        sem.put("maxBypassUs", sc.semaphore().maxBypassNanos() / 1e3);
        sem.put("parkFallbackUs", sc.semaphore().parkFallbackNanos() / 1e3);
        sem.put(
                "wakeScheduling",
                sc.semaphore().wakeScheduling() == null
                        ? null
                        : ThreadSpec.schedulingText(sc.semaphore().wakeScheduling()));
        scenario.put("semaphore", sem);
        List<Object> threads = new ArrayList<>();
        for (ThreadSpec t : sc.threads()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("context", t.context().name());
            m.put("cpu", ValidationRun.cpuName(t.cpu()));
            m.put("role", t.role().alias());
            m.put("rateHz", t.fixedRate() ? 1e9 / t.periodNanos() : null);
            boolean hog = t.role() == Role.HOG;
            m.put("permits", hog ? null : t.permits());
            m.put("holdUs", hog ? null : t.holdNanos() / 1e3);
            m.put("busyUs", hog ? t.holdNanos() / 1e3 : null);
            m.put("releases", t.role().alias().equals("acquirer") ? (t.releasesOwn() ? "self" : "none") : null);
            m.put("scheduling", ThreadSpec.schedulingText(t.scheduling()));
            threads.add(m);
        }
        scenario.put("threads", threads);
        root.put("scenario", scenario);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("startedAt", Instant.ofEpochMilli(run.startedEpochMillis()).toString());
        r.put("outDir", run.outDir().toString());
        r.put("javaVersion", run.javaVersion());
        r.put("cpus", run.cpus());
        r.put("jvmArguments", run.jvmArguments());
        r.put("missingRecommendedJvmOptions", report.missingJvmOptions());
        r.put("threadCpuMs", run.threadCpuMillis());
        r.put("notes", run.notes());
        root.put("run", r);

        MachineState ms = run.machine();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("schedRtRuntimeUs", ms.rtRuntimeUs());
        machine.put("schedRtPeriodUs", ms.rtPeriodUs());
        machine.put("isolatedCpus", MachineState.listOrNull(ms.isolated()));
        machine.put("nohzFullCpus", MachineState.listOrNull(ms.nohzFull()));
        machine.put("capSysNice", ms.capSysNice());
        machine.put("tuneApplied", ms.tuneState());
        root.put("machine", machine);

        // one thread serves rtsem's slices and the peer's: the policies are the same for both by construction
        Map<String, Object> scheduling = new LinkedHashMap<>();
        scheduling.put("samePolicyForPeer", true);
        Map<String, Object> perThread = new LinkedHashMap<>();
        for (ThreadSpec t : run.threads()) {
            AppliedScheduling a = run.scheduling().get(t.name());
            if (a == null) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("context", t.context().name());
            m.put("requested", ThreadSpec.schedulingText(t.scheduling()));
            m.put("resolved", ThreadSpec.schedulingText(a.requested()));
            m.put("policy", a.policy().name());
            m.put("priority", a.priority());
            m.put("asRequested", a.asRequested());
            m.put("note", a.note());
            perThread.put(t.name(), m);
        }
        scheduling.put("threads", perThread);
        root.put("scheduling", scheduling);

        RunResult.Interleaving il = run.interleaving();
        Map<String, Object> inter = new LinkedHashMap<>();
        inter.put("slices", il.slices());
        inter.put("sliceMs", il.sliceNanos() / 1e6);
        inter.put("minSliceMs", Percentiles.round(il.minSliceNanos() / 1e6));
        inter.put("maxSliceMs", Percentiles.round(il.maxSliceNanos() / 1e6));
        inter.put("measuredMsPerSubject", Percentiles.round(il.perSubjectNanos() / 1e6));
        inter.put("warmupMs", il.warmupNanos() / 1e6);
        root.put("interleaving", inter);

        Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("pass", report.pass());
        verdict.put("exitCode", report.exitCode());
        List<Object> missed = new ArrayList<>();
        for (RunReport.Miss m : report.misses()) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("context", m.context());
            mm.put("percentile", m.percentile());
            mm.put("budget", m.budgetUs());
            mm.put("actual", m.noMeasurements() ? null : Percentiles.round(m.actualUs()));
            mm.put("overBy", m.noMeasurements() ? null : Percentiles.round(m.overByUs()));
            mm.put("platformLimit", report.platformLimit(m));
            missed.add(mm);
        }
        verdict.put("missed", missed);
        List<Object> late = new ArrayList<>();
        for (RunReport.Behind b : report.behind()) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("thread", b.thread());
            bm.put("context", b.context());
            bm.put("scheduled", b.scheduled());
            bm.put("completed", b.completed());
            bm.put("allowedShortfall", b.allowed());
            bm.put("unfinishedWaits", b.unfinishedWaits());
            late.add(bm);
        }
        verdict.put("behindSchedule", late);
        root.put("verdict", verdict);

        Map<String, Object> budgets = new LinkedHashMap<>();
        for (Map.Entry<RtContext, Budget> e : sc.budgets().entrySet()) {
            Map<String, Object> b = new LinkedHashMap<>();
            boolean measured =
                    report.percentiles("rtsem", e.getKey(), Metric.WAIT).count() > 0;
            e.getValue().limits().forEach((k, v) -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("budget", v / 1e3);
                one.put("actual", measured ? Percentiles.round(report.judged(e.getKey(), k)) : null);
                one.put("pass", report.meets(e.getKey(), k, v));
                b.put(k, one);
            });
            budgets.put(e.getKey().name(), b);
        }
        root.put("budgets", budgets);

        Map<String, Object> fl = new LinkedHashMap<>();
        fl.put("cpus", List.of(ValidationRun.cpuName(run.floorCpus()[0]), ValidationRun.cpuName(run.floorCpus()[1])));
        fl.put("oneWay", report.floor().json());
        fl.put("hiccups", Percentiles.of(run.floorHiccups()).json());
        Map<String, Object> cpuHiccups = new LinkedHashMap<>();
        for (CpuGapMeter.CpuGaps g : run.cpuHiccups()) {
            if (g.measured()) { // a detector without a clock read has no figures: zeros would read as "no hiccups"
                cpuHiccups.put(
                        Integer.toString(g.cpu()), Percentiles.of(g.gaps()).json());
            }
        }
        fl.put("cpuHiccups", cpuHiccups);
        fl.put("cpuHiccupThresholdUs", CpuGapMeter.THRESHOLD_NANOS / 1e3);
        Map<String, Object> hf = new LinkedHashMap<>();
        for (RtContext c : RtContext.values()) {
            if (report.hiccupFloor(c) != null) {
                hf.put(c.name(), report.hiccupFloor(c).json());
            }
        }
        fl.put("hiccupFloor", hf);
        fl.put("notes", run.floorNotes());
        root.put("floor", fl);

        Map<String, Object> subj = new LinkedHashMap<>();
        for (SubjectResult s : List.of(run.rtsem(), run.peer())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("description", s.description());
            Map<String, String> styles = new LinkedHashMap<>();
            s.waitStyles().forEach((c, w) -> styles.put(c.name(), w));
            m.put("waitStyles", styles);
            m.put("hiccups", Percentiles.of(s.hiccups()).json());
            m.put("overBudgetWaits", s.overBudget());
            Map<String, Object> schedule = new LinkedHashMap<>();
            s.schedule().forEach((thread, ts) -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put(
                        "scheduled",
                        ts.scheduled() == SubjectResult.ThreadSchedule.NO_SCHEDULE ? null : ts.scheduled());
                one.put("completed", ts.completed());
                one.put("unfinishedWaits", ts.unfinishedWaits());
                schedule.put(thread, one);
            });
            m.put("schedule", schedule);
            Map<String, Object> ctx = new LinkedHashMap<>();
            report.subject(s.subject()).forEach((c, metrics) -> {
                Map<String, Object> mm = new LinkedHashMap<>();
                metrics.forEach((metric, p) -> mm.put(metric.label(), p.json()));
                ctx.put(c.name(), mm);
            });
            m.put("contexts", ctx);
            List<Object> worst = new ArrayList<>();
            List<List<Cause>> cs = report.causes(s.subject());
            for (int i = 0; i < s.worst().size(); i++) {
                WaitSample w = s.worst().get(i);
                Map<String, Object> wm = new LinkedHashMap<>();
                wm.put("thread", w.thread());
                wm.put("context", w.context());
                wm.put("wait", Percentiles.round(w.waitNanos() / 1e3));
                wm.put("service", Percentiles.round(w.serviceNanos() / 1e3));
                wm.put("at", instant(w.startEpochNanos()));
                wm.put("offsetMs", Percentiles.round((w.startEpochNanos() - s.measureStartEpochNanos()) / 1e6));
                List<Object> causeList = new ArrayList<>();
                for (Cause c : cs.get(i)) {
                    causeList.add(Map.of("kind", c.kind(), "detail", c.detail()));
                }
                wm.put("causes", causeList);
                worst.add(wm);
            }
            m.put("worstWaits", worst);
            InversionEpisodes.Result inv = s.inversions();
            Map<String, Object> im = new LinkedHashMap<>();
            Map<String, Object> byCtx = new LinkedHashMap<>();
            inv.episodes().forEach((c, k) -> byCtx.put(c.name(), k));
            im.put("episodes", byCtx);
            im.put("longWaitsExamined", inv.longWaits());
            im.put("longWaitsLost", inv.longWaitsLost());
            im.put("longHoldsLost", inv.longHoldsLost());
            im.put("priorityBoosts", inv.priorityBoosts());
            im.put("priorityBoostsRefused", inv.priorityBoostsRefused());
            m.put("inversions", im);
            subj.put(s.subject(), m);
        }
        root.put("subjects", subj);

        // only ratios that mean something: each metric to the peer; the hand-off to the cache-line floor (the fastest
        // a permit can cross between CPUs); the wait to the hiccup floor of its own CPU (what the platform takes
        // before any semaphore does), not to the cache-line floor (an uncontended wait is a CAS and a clock read)
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (RtContext c : sc.waitingContexts()) {
            Map<String, Object> byMetric = new LinkedHashMap<>();
            Percentiles wait = report.percentiles("rtsem", c, Metric.WAIT);
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("toPeer", toPeer(wait, report.percentiles("peer", c, Metric.WAIT)));
            w.put("toHiccupFloor", RunReport.toHiccupFloor(wait, report.hiccupFloor(c)));
            byMetric.put(Metric.WAIT.label(), w);
            Percentiles handoff = report.percentiles("rtsem", c, Metric.HANDOFF);
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("toPeer", toPeer(handoff, report.percentiles("peer", c, Metric.HANDOFF)));
            Map<String, Object> toFloor = new LinkedHashMap<>();
            for (String n : Percentiles.NAMES) {
                toFloor.put(
                        n,
                        handoff.count() == 0
                                ? null
                                : RunReport.ratio(handoff.get(n), report.floor().get(n)));
            }
            h.put("toFloor", toFloor);
            byMetric.put(Metric.HANDOFF.label(), h);
            ratios.put(c.name(), byMetric);
        }
        root.put("ratios", ratios);

        Map<String, Object> jvm = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (JvmEventLog.Kind k : JvmEventLog.Kind.values()) {
            counts.put(k.name().toLowerCase(java.util.Locale.ROOT), 0); // every kind, 0 where none occurred
        }
        for (JvmEvent e : run.jvmEvents()) {
            counts.merge(e.kind().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
        }
        jvm.put("eventCounts", counts);
        jvm.put("stopsOfRealTimeThreads", report.jvmStopNotes());
        jvm.put("advice", report.advice());
        root.put("jvm", jvm);
        return root;
    }

    private static Map<String, Object> toPeer(Percentiles mine, Percentiles peer) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String n : Percentiles.NAMES) {
            m.put(n, mine.count() == 0 || peer.count() == 0 ? null : RunReport.ratio(mine.get(n), peer.get(n)));
        }
        return m;
    }

    private static String instant(long epochNanos) {
        return Instant.ofEpochSecond(epochNanos / 1_000_000_000L, epochNanos % 1_000_000_000L)
                .toString();
    }
}
