package io.rtsem.latency.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Bad arguments to every public constructor and method of the config package: each gives an exception whose message
 * names the argument and the bad value (files themselves: ScenarioLoaderTest and ScenarioFuzzTest).
 */
class ConfigBadInputTest {
    private static final long U = Budget.UNSET;
    private static final SemaphoreSpec SEM = new SemaphoreSpec(1, 1, false, Map.of(), 1_000_000L, 1_000_000L);
    private static final ThreadSpec HARD =
            new ThreadSpec("h", RtContext.HARD, 1, Role.ACQUIRER, 1_000_000L, 1, 0, true, 0);

    private static void message(
            Class<? extends Throwable> type, String expected, org.junit.jupiter.api.function.Executable call) {
        Throwable t = assertThrows(type, call);
        assertEquals(expected, t.getMessage());
    }

    @Example
    void scenarioLoaderAndConfigException() {
        message(IllegalArgumentException.class, "availableCpus must be at least 1, got 0", () -> new ScenarioLoader(0));
        message(
                IllegalArgumentException.class,
                "availableCpus must be at least 1, got -4",
                () -> new ScenarioLoader(-4));
        ScenarioLoader loader = new ScenarioLoader(2);
        message(NullPointerException.class, "path", () -> loader.load(null));
        message(NullPointerException.class, "file", () -> loader.parse(null, "threads: []"));
        message(NullPointerException.class, "yaml", () -> loader.parse("x.yaml", null));
        message(NullPointerException.class, "file", () -> new ConfigException(null, "", "p"));
        message(NullPointerException.class, "key", () -> new ConfigException("f", null, "p"));
        message(NullPointerException.class, "problem", () -> new ConfigException("f", "k", null));
    }

    @Example
    void budget() {
        message(
                IllegalArgumentException.class,
                "budget p50 must be a positive number of nanoseconds or Budget.UNSET " + "(-1), got -5",
                () -> new Budget(-5, U, U, U, U));
        message(
                IllegalArgumentException.class,
                "budget max must be a positive number of nanoseconds or Budget.UNSET " + "(-1), got 0",
                () -> new Budget(U, U, U, U, 0));
        message(
                IllegalArgumentException.class,
                "budget p99.9 (5 ns) is below p50 (10 ns); a higher percentile cannot " + "have a smaller limit",
                () -> new Budget(10, U, 5, U, U));
        assertEquals(Long.MAX_VALUE, new Budget(U, U, U, U, U).singleWaitThresholdNanos(), "no limit at all is valid");
    }

    @Property(tries = 200)
    void aBudgetLimitIsPositiveOrUnset(
            @ForAll @LongRange(min = Long.MIN_VALUE, max = 0) long bad, @ForAll @IntRange(min = 0, max = 4) int at) {
        long[] v = {U, U, U, U, U};
        v[at] = bad;
        if (bad == U) {
            assertDoesNotThrow(() -> new Budget(v[0], v[1], v[2], v[3], v[4]));
            return;
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Budget(v[0], v[1], v[2], v[3], v[4]));
        assertTrue(
                e.getMessage().startsWith("budget " + Budget.KEYS[at] + " ")
                        && e.getMessage().endsWith("got " + bad),
                e.getMessage());
    }

    @Example
    void semaphoreSpec() {
        message(
                IllegalArgumentException.class,
                "permits must be from 0 to maxPermits (1), got -1",
                () -> new SemaphoreSpec(-1, 1, false, Map.of(), 1, 1));
        message(
                IllegalArgumentException.class,
                "permits must be from 0 to maxPermits (2), got 3",
                () -> new SemaphoreSpec(3, 2, false, Map.of(), 1, 1));
        message(
                IllegalArgumentException.class,
                "maxPermits must be at least 1, got 0",
                () -> new SemaphoreSpec(0, 0, false, Map.of(), 1, 1));
        message(
                IllegalArgumentException.class,
                "a binary semaphore has maxPermits 1, got 2",
                () -> new SemaphoreSpec(1, 2, true, Map.of(), 1, 1));
        message(
                IllegalArgumentException.class,
                "maxBypassNanos must be positive, got 0",
                () -> new SemaphoreSpec(1, 1, false, Map.of(), 0, 1));
        message(
                IllegalArgumentException.class,
                "parkFallbackNanos must be positive, got -1",
                () -> new SemaphoreSpec(1, 1, false, Map.of(), 1, -1));
        message(NullPointerException.class, "strategies", () -> new SemaphoreSpec(1, 1, false, null, 1, 1));
    }

    @Example
    void threadSpecAndStallSpec() {
        message(
                IllegalArgumentException.class,
                "cpu must be a CPU number, RtThread.ANY_CPU (-2) or RtThread.NO_PIN (-1), " + "got -3",
                () -> new ThreadSpec("t", RtContext.HARD, -3, Role.ACQUIRER, 0, 1, 0, true, 0));
        message(
                IllegalArgumentException.class,
                "cpu must be a CPU number, RtThread.ANY_CPU (-2) or RtThread.NO_PIN (-1), " + "got -7",
                () -> HARD.withCpu(-7));
        assertEquals(RtThread.ANY_CPU, HARD.withCpu(RtThread.ANY_CPU).cpu());
        message(
                IllegalArgumentException.class,
                "periodNanos must be 0 (as fast as possible) or positive, got -1",
                () -> new ThreadSpec("t", RtContext.HARD, 1, Role.ACQUIRER, -1, 1, 0, true, 0));
        message(
                IllegalArgumentException.class,
                "permits must be at least 1, got 0",
                () -> new ThreadSpec("t", RtContext.HARD, 1, Role.ACQUIRER, 0, 0, 0, true, 0));
        message(
                IllegalArgumentException.class,
                "holdNanos must be 0 or more, got -2",
                () -> new ThreadSpec("t", RtContext.HARD, 1, Role.ACQUIRER, 0, 1, -2, true, 0));
        message(
                IllegalArgumentException.class,
                "allocateBytes must be 0 or more, got -64",
                () -> new ThreadSpec("t", RtContext.NON_RT, 1, Role.BOOKKEEPER, 10, 1, 0, true, -64));
        message(
                NullPointerException.class,
                "name",
                () -> new ThreadSpec(null, RtContext.HARD, 1, Role.ACQUIRER, 0, 1, 0, true, 0));
        message(
                NullPointerException.class,
                "context",
                () -> new ThreadSpec("t", null, 1, Role.ACQUIRER, 0, 1, 0, true, 0));
        message(
                NullPointerException.class,
                "role",
                () -> new ThreadSpec("t", RtContext.HARD, 1, null, 0, 1, 0, true, 0));
        message(IllegalArgumentException.class, "atNanos must be 0 or more, got -1", () -> new StallSpec("t", -1, 1));
        message(IllegalArgumentException.class, "forNanos must be positive, got 0", () -> new StallSpec("t", 0, 0));
        message(NullPointerException.class, "thread", () -> new StallSpec(null, 0, 1));
    }

    @Example
    void scenario() {
        message(IllegalArgumentException.class, "warmupNanos must be 0 or more, got -1", () -> scenario(-1, 1, 1, 1));
        message(IllegalArgumentException.class, "durationNanos must be positive, got 0", () -> scenario(0, 0, 1, 1));
        message(IllegalArgumentException.class, "floorNanos must be positive, got -3", () -> scenario(0, 1, -3, 1));
        message(IllegalArgumentException.class, "intervalNanos must be positive, got 0", () -> scenario(0, 1, 1, 0));
        message(
                IllegalArgumentException.class,
                "the planned run time overflows: warmupNanos " + Long.MAX_VALUE / 2 + ", durationNanos 1, floorNanos 1",
                () -> scenario(Long.MAX_VALUE / 2, 1, 1, 1));
        message(
                IllegalArgumentException.class,
                "a scenario needs at least one thread",
                () -> new Scenario("s", "", "f", 0, 1, 1, 1, SEM, List.of(), Map.of(), Optional.empty()));
        message(
                NullPointerException.class,
                "semaphore",
                () -> new Scenario("s", "", "f", 0, 1, 1, 1, null, List.of(HARD), Map.of(), Optional.empty()));
        message(
                NullPointerException.class,
                "newBudgets",
                () -> scenario(0, 1, 1, 1).withBudgets(null));
        assertEquals(2 * 3 + 4 * 5 + 2 * 7, scenario(5, 7, 3, 1).plannedNanos());
    }

    private static Scenario scenario(long warmup, long duration, long floor, long interval) {
        return new Scenario(
                "s", "", "f", warmup, duration, floor, interval, SEM, List.of(HARD), Map.of(), Optional.empty());
    }
}
