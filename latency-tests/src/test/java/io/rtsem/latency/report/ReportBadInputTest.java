package io.rtsem.latency.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.Metric;
import io.rtsem.latency.run.SubjectResult.WaitSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments to every public constructor and method of the report package: each gives an exception whose message
 * names the argument and the bad value, instead of an ArrayIndexOutOfBoundsException, a bare NullPointerException or
 * a silently wrong result.
 */
class ReportBadInputTest {

    private static void message(Class<? extends Throwable> type, String expected, Executable call) {
        Throwable t = assertThrows(type, call);
        assertEquals(expected, t.getMessage());
    }

    private static RunReport hardOnly() throws ConfigException {
        return new RunReport(
                Runs.run(
                        Runs.scenario("""
            threads:
              - { name: h, context: HARD, cpu: 1, role: acquirer, rate-hz: 1000 }
            budgets:
              HARD: { p50: 5, max: 100 }
            """),
                        Map.of(RtContext.HARD, new long[] {1_000, 2_000}),
                        List.of(),
                        List.of(),
                        List.of()),
                List.of());
    }

    @Test
    void runReport() throws ConfigException {
        RunReport r = hardOnly();
        // was ArrayIndexOutOfBoundsException: Index -1 out of bounds for length 5
        message(
                IllegalArgumentException.class,
                "unknown budget key \"p42\"; expected one of [p50, p99, p99.9, p99.99, " + "max]",
                () -> r.judged(RtContext.HARD, "p42"));
        message(
                IllegalArgumentException.class,
                "unknown budget key null; expected one of [p50, p99, p99.9, p99.99, " + "max]",
                () -> r.meets(RtContext.HARD, null, 5_000));
        message(
                IllegalArgumentException.class,
                "limitNanos must be positive, got -1",
                () -> r.meets(RtContext.HARD, "p50", -1));
        // was: 0 for a context nobody waits in (judged) and a NullPointerException (percentiles)
        message(
                IllegalArgumentException.class,
                "context SOFT has no waiting thread in scenario test; expected one of " + "[HARD]",
                () -> r.judged(RtContext.SOFT, "p50"));
        message(
                IllegalArgumentException.class,
                "context NON_RT has no waiting thread in scenario test; expected one of " + "[HARD]",
                () -> r.percentiles("rtsem", RtContext.NON_RT, Metric.WAIT));
        message(
                IllegalArgumentException.class,
                "unknown subject \"juc\"; expected one of [rtsem, peer]",
                () -> r.percentiles("juc", RtContext.HARD, Metric.WAIT));
        message(
                IllegalArgumentException.class,
                "unknown subject null; expected one of [rtsem, peer]",
                () -> r.causes(null));
        message(NullPointerException.class, "metric", () -> r.percentiles("rtsem", RtContext.HARD, null));
        assertEquals(2.0, r.judged(RtContext.HARD, "max"), "what a valid call gives");
        message(NullPointerException.class, "run", () -> new RunReport(null, List.of()));
        message(NullPointerException.class, "recommended", () -> new RunReport(r.run(), null));
        message(NullPointerException.class, "report", () -> ConsoleTable.render(null));
        message(NullPointerException.class, "report", () -> HtmlReport.render(null));
        message(NullPointerException.class, "report", () -> ReportFiles.write(null));
    }

    @Test
    void miss() {
        // was: describe() threw a NullPointerException (unboxing) for a miss with an actual figure and no budget
        message(
                IllegalArgumentException.class,
                "budgetUs and actualUs are both null (no measurements) or both set, got "
                        + "budgetUs null and actualUs 5.0",
                () -> new RunReport.Miss("HARD", "p50", null, 5.0));
        message(NullPointerException.class, "context", () -> new RunReport.Miss(null, "p50", 1.0, 5.0));
        assertEquals(
                "HARD p50: 5.0 us against a budget of 1.0 us (over by 4.0 us, 400%)",
                new RunReport.Miss("HARD", "p50", 1.0, 5.0).describe());
    }

    @Test
    void percentiles() {
        Percentiles p = new Percentiles(1, 1, 1, 1, 1, 1, 1, 1);
        // was: an IllegalArgumentException whose message was the bad name alone, and a bare NPE for null
        message(
                IllegalArgumentException.class,
                "unknown percentile name \"p95\"; expected one of [p50, p90, p99, p99.9, " + "p99.99, max]",
                () -> p.get("p95"));
        message(
                IllegalArgumentException.class,
                "unknown percentile name null; expected one of [p50, p90, p99, p99.9, " + "p99.99, max]",
                () -> p.get(null));
        message(
                IllegalArgumentException.class,
                "count must be 0 or more, got -1",
                () -> new Percentiles(-1, 0, 0, 0, 0, 0, 0, 0));
        message(NullPointerException.class, "h", () -> Percentiles.of(null));
    }

    @Test
    void attribution() {
        WaitSample a = new WaitSample("t", "HARD", 100, 10, 0, 100);
        message(NullPointerException.class, "w", () -> Attribution.causes(null, List.<JvmEvent>of(), List.of()));
        message(NullPointerException.class, "events", () -> Attribution.causes(a, null, List.of()));
        message(NullPointerException.class, "sched", () -> Attribution.causes(a, List.of(), null));
        message(NullPointerException.class, "causes", () -> Attribution.advice(null, List.of(), List.of()));
        message(NullPointerException.class, "jvmArguments", () -> Attribution.advice(List.of(), null, List.of()));
        message(NullPointerException.class, "missing", () -> Attribution.advice(List.of(), List.of(), null));
        message(NullPointerException.class, "c", () -> Attribution.jvmStop(null));
        message(NullPointerException.class, "kind", () -> new Attribution.Cause(null, "d"));
        message(NullPointerException.class, "detail", () -> new Attribution.Cause("gc", null));
    }
}
