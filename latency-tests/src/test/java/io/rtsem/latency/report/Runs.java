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
    private Runs() {
    }

    static Scenario scenario(String yaml) throws ConfigException {
        return new ScenarioLoader(2).parse("configs/test.yaml", yaml);
    }

    /**
     * @param waits rtsem's (and the peer's) corrected waits per context, nanoseconds
     * @param worst rtsem's worst waits
     */
    static RunResult run(Scenario sc, Map<RtContext, long[]> waits, List<WaitSample> worst, List<JvmEvent> events,
                         List<String> jvmArguments) {
        return new RunResult(sc, Path.of("target", "rtsem-test", "synthetic"), 0L, new int[] {1, 0},
            histogram(1_000), histogram(), List.of(), subject("rtsem", waits, worst), subject("peer", waits, List.of()),
            events, jvmArguments, "17", 2, List.of(), List.of());
    }

    private static SubjectResult subject(String name, Map<RtContext, long[]> waits, List<WaitSample> worst) {
        PhaseRecorders r = new PhaseRecorders();
        waits.forEach((c, values) -> {
            for (long v : values) {
                r.record(PhaseRecorders.slot(c, Metric.WAIT), v);
            }
        });
        for (int slot = 0; slot < PhaseRecorders.slots(); slot++) {
            r.sample(slot);
        }
        return new SubjectResult(name, name, r, worst, histogram(), 0, Map.of(), List.of(), 0L, 1_000_000_000L,
            Map.of());
    }

    private static org.HdrHistogram.Histogram histogram(long... values) {
        org.HdrHistogram.Histogram h = PhaseRecorders.newHistogram();
        for (long v : values) {
            h.recordValue(v);
        }
        return h;
    }
}
