package io.rtsem.latency.report;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.ScenarioLoader;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.Metric;
import io.rtsem.latency.run.PhaseRecorders;
import io.rtsem.latency.run.RunResult;
import io.rtsem.latency.run.SubjectResult;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Synthetic runs for judging and reporting tests: a scenario from YAML, chosen waits, events and JVM options. */
final class Runs {
    private Runs() {}

    static Scenario scenario(String yaml) throws ConfigException {
        return new ScenarioLoader(2).parse("configs/test.yaml", yaml);
    }

    /**
     * @param waits rtsem's (and the peer's) corrected waits per context, nanoseconds
     * @param worst rtsem's worst waits
     */
    static RunResult run(
            Scenario sc,
            Map<RtContext, long[]> waits,
            List<WaitSample> worst,
            List<JvmEvent> events,
            List<String> jvmArguments) {
        return run(sc, waits, worst, events, jvmArguments, Map.of(), Map.of(), Map.of());
    }

    /**
     * @param rtsemSchedule rtsem's schedule per thread
     * @param peerSchedule  the peer's
     * @param rtsemHiccupFloors rtsem's hiccup floor per HARD thread
     */
    static RunResult run(
            Scenario sc,
            Map<RtContext, long[]> waits,
            List<WaitSample> worst,
            List<JvmEvent> events,
            List<String> jvmArguments,
            Map<String, SubjectResult.ThreadSchedule> rtsemSchedule,
            Map<String, SubjectResult.ThreadSchedule> peerSchedule,
            Map<String, org.HdrHistogram.Histogram> rtsemHiccupFloors) {
        return new RunResult(
                sc,
                Path.of("target", "rtsem-test", "synthetic"),
                0L,
                new int[] {1, 0},
                histogram(1_000),
                histogram(),
                List.of(),
                subject("rtsem", waits, worst, rtsemSchedule, rtsemHiccupFloors),
                subject("peer", waits, List.of(), peerSchedule, Map.of()),
                events,
                jvmArguments,
                "17",
                2,
                List.of(),
                List.of(),
                sc.threads(),
                new RunResult.Interleaving(2, 500_000_000L, 500_000_000L, 500_000_000L, 500_000_000L, 0L),
                Map.of(),
                new io.rtsem.latency.machine.MachineState(
                        950_000L,
                        1_000_000L,
                        new java.util.BitSet(),
                        null,
                        io.rtsem.latency.machine.CpuList.parse("0-1"),
                        List.of(),
                        Map.of(),
                        null,
                        null,
                        Map.of(),
                        0,
                        true,
                        "0",
                        "0",
                        false),
                Map.of());
    }

    private static SubjectResult subject(
            String name,
            Map<RtContext, long[]> waits,
            List<WaitSample> worst,
            Map<String, SubjectResult.ThreadSchedule> schedule,
            Map<String, org.HdrHistogram.Histogram> hiccupFloors) {
        PhaseRecorders r = new PhaseRecorders();
        waits.forEach((c, values) -> {
            for (long v : values) {
                r.record(PhaseRecorders.slot(c, Metric.WAIT), v);
            }
        });
        for (int slot = 0; slot < PhaseRecorders.slots(); slot++) {
            r.sample(slot);
        }
        return new SubjectResult(
                name,
                name,
                Map.of(),
                r,
                worst,
                histogram(),
                0,
                schedule,
                List.of(),
                0L,
                1_000_000_000L,
                hiccupFloors,
                io.rtsem.latency.run.InversionEpisodes.Result.NONE,
                Map.of(),
                List.of(),
                List.of());
    }

    static org.HdrHistogram.Histogram histogram(long... values) {
        org.HdrHistogram.Histogram h = PhaseRecorders.newHistogram();
        for (long v : values) {
            h.recordValue(v);
        }
        return h;
    }
}
