package io.rtsem.latency.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.latency.report.Attribution.Cause;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Advice follows the run: the options it lacked, the operations behind its safepoints, never an option it had. */
class AttributionAdviceTest {
    private static final List<String> RT_OPTIONS = List.of(
            "-Xms256m",
            "-Xmx256m",
            "-XX:+AlwaysPreTouch",
            "-XX:+UseSerialGC",
            "-Xmn128m",
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:GuaranteedSafepointInterval=0");

    private static String advice(List<Cause> causes, List<String> args, List<String> missing) {
        List<String> a = Attribution.advice(causes, args, missing);
        assertEquals(1, a.size(), a.toString());
        return a.get(0);
    }

    @Test
    void jfrSafepointsSuggestNoJfrAndNotAnOptionTheRunHad() {
        String a = advice(
                List.of(new Cause("safepoint", "safepoint #12 (JFRCheckpoint), 310.0 us")), RT_OPTIONS, List.of());
        assertTrue(a.contains("--no-jfr") && a.contains("JFRCheckpoint"), a);
        assertFalse(a.contains("GuaranteedSafepointInterval"), "the run had it: " + a);
    }

    @Test
    void deoptimizationNamesTheTrapLimitOnlyWhenTheRunLackedIt() {
        Cause deopt = new Cause("deoptimization", "io.rtsem.core.RtSemaphore.release line 352 (reason unstable_if)");
        String lacking = advice(List.of(deopt), RT_OPTIONS, List.of("-XX:PerMethodTrapLimit=0"));
        assertTrue(lacking.contains("lacked -XX:PerMethodTrapLimit=0"), lacking);
        String had = advice(List.of(deopt), List.of("-XX:PerMethodTrapLimit=0"), List.of());
        assertFalse(had.contains("PerMethodTrapLimit"), "the run had it: " + had);
        assertTrue(had.contains("warmup"), had);
    }

    @Test
    void periodicSafepointsNameTheOptionTheRunLacked() {
        String a = advice(
                List.of(new Cause("safepoint", "safepoint #3 (Cleanup), 80.0 us")),
                List.of("-Xmx1g"),
                List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0"));
        assertTrue(a.contains("lacked -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0"), a);
        assertFalse(a.contains("--no-jfr"), a);
    }

    @Test
    void gcAdviceNamesMissingHeapOptionsAndSkipsCollectorsInUse() {
        String lacking = advice(
                List.of(new Cause("gc", "GC pause")),
                List.of("-Xmx1g"),
                List.of(
                        "-Xms1g",
                        "-XX:+AlwaysPreTouch",
                        "-XX:+UseSerialGC",
                        "-Xmn768m",
                        "-XX:GuaranteedSafepointInterval=0"));
        assertTrue(lacking.contains("lacked -Xms1g -XX:+AlwaysPreTouch -XX:+UseSerialGC -Xmn768m"), lacking);
        assertFalse(lacking.contains("GuaranteedSafepointInterval"), "not a GC option: " + lacking);
        String zgc = advice(List.of(new Cause("gc", "GC pause")), List.of("-XX:+UseZGC", "-Xmn768m"), List.of());
        assertFalse(zgc.contains("-XX:+UseZGC"), "the run used ZGC already: " + zgc);
        assertTrue(zgc.contains("-XX:+UseEpsilonGC"), zgc);
    }

    @Test
    void operationNamesAreReadFromTheSafepointDetail() {
        assertEquals(
                List.of("G1CollectForAllocation", "JFROldObject"),
                Attribution.safepointOperations("safepoint #7 (G1CollectForAllocation, JFROldObject), 1200.5 us"));
        assertEquals(List.of(), Attribution.safepointOperations("safepoint #8, 12.0 us"));
    }
}
