package io.rtsem.latency.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.config.Scenario;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a run is judged against its budgets, on synthetic waits. */
class RunReportTest {
    static final String TWO_CONTEXTS = """
        threads:
          - { name: h, context: HARD, cpu: 1, role: acquirer, rate-hz: 1000 }
          - { name: s, context: SOFT, cpu: none, role: acquirer, rate-hz: 1000 }
        budgets:
          HARD: { p50: 5, max: 100 }
        """;

    @Test
    void aContextWithoutMeasurementsIsNeverAPassBudgetOrNot() throws ConfigException {
        Scenario sc = Runs.scenario(TWO_CONTEXTS + "  SOFT: { max: 100 }\n");
        RunReport r = new RunReport(
                Runs.run(sc, Map.of(RtContext.HARD, new long[] {1_000, 2_000}), List.of(), List.of(), List.of()),
                List.of());
        assertFalse(r.pass());
        assertEquals(1, r.exitCode());
        assertEquals(1, r.misses().size(), "one miss for the context, not one per budget: " + r.misses());
        RunReport.Miss m = r.misses().get(0);
        assertEquals("SOFT", m.context());
        assertTrue(m.noMeasurements() && m.describe().contains("no measurements"), m.describe());
        @SuppressWarnings("unchecked")
        Map<String, Object> soft = (Map<String, Object>)
                ((Map<String, Object>) ((Map<String, Object>) r.json().get("budgets")).get("SOFT")).get("max");
        assertNull(soft.get("actual"), "no actual figure where nothing was measured");
        assertEquals(false, soft.get("pass"));
        assertTrue(ConsoleTable.render(r).contains("SOFT: no measurements"), ConsoleTable.render(r));

        Scenario noSoftBudget = Runs.scenario(TWO_CONTEXTS);
        RunReport r2 = new RunReport(
                Runs.run(noSoftBudget, Map.of(RtContext.HARD, new long[] {1_000}), List.of(), List.of(), List.of()),
                List.of());
        assertFalse(r2.pass(), "a waiting context with no budget and no wait is not a pass either");
    }

    @Test
    void aWaitExactlyAtTheBudgetIsNotAMissOneBucketAboveIs() throws ConfigException {
        Scenario sc = Runs.scenario(TWO_CONTEXTS.replace("p50: 5, max: 100", "p50: 5, max: 5"));
        long[] atBudget = new long[100];
        java.util.Arrays.fill(atBudget, 5_000L);
        long[] soft = {1_000};
        RunReport at = new RunReport(
                Runs.run(sc, Map.of(RtContext.HARD, atBudget, RtContext.SOFT, soft), List.of(), List.of(), List.of()),
                List.of());
        assertTrue(at.pass(), "5000 ns against a 5 us budget: " + at.misses());
        RunReport above = new RunReport(
                Runs.run(
                        sc,
                        Map.of(RtContext.HARD, new long[] {5_000, 5_010}, RtContext.SOFT, soft),
                        List.of(),
                        List.of(),
                        List.of()),
                List.of());
        assertEquals(1, above.misses().size(), "5010 ns is a miss of max: " + above.misses());
        assertEquals("max", above.misses().get(0).percentile());
    }

    @Test
    void everyContextMeasuredAndWithinBudgetPasses() throws ConfigException {
        Scenario sc = Runs.scenario(TWO_CONTEXTS);
        RunReport r = new RunReport(
                Runs.run(
                        sc,
                        Map.of(RtContext.HARD, new long[] {1_000, 2_000}, RtContext.SOFT, new long[] {50_000}),
                        List.of(),
                        List.of(),
                        List.of()),
                List.of());
        assertTrue(r.pass(), r.misses().toString());
        assertEquals(0, r.exitCode());
    }
}
