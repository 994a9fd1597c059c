package io.rtsem.bridge;

import static io.rtsem.bridge.Refusals.durationOption;
import static io.rtsem.bridge.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rtsem.core.RtSemaphore;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Bad input to every public method of {@code io.rtsem.bridge} that takes an argument (SemaphoreBridge and its
 * Options; Permit, BridgeStats' no-argument methods take none; the pool's are in {@code io.rtsem.pool.BadInputTest}):
 * refused with a clear exception that names the bad value (or, for a {@code null}, the parameter), and nothing
 * changes. The ranges are generated (jqwik, 200 tries per property, edge cases included); null and state cases are
 * examples.
 */
class BadInputTest {
    private static final int MAX_PERMITS = 3;

    private static RtSemaphore sem;
    private static SemaphoreBridge bridge;

    @BeforeContainer
    static void setUp() {
        sem = RtSemaphore.builder().permits(MAX_PERMITS).maxPermits(MAX_PERMITS).build();
        bridge = SemaphoreBridge.attach(sem);
    }

    @AfterContainer
    static void tearDown() {
        bridge.close();
    }

    private static void unchanged() {
        assertEquals(MAX_PERMITS, sem.availablePermits(), "no permit taken or added");
        assertEquals(0, bridge.stats().pendingRequests(), "nothing queued");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // SemaphoreBridge: permits
    // ---------------------------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Integer> badPermits() {
        return Arbitraries.oneOf(
                Arbitraries.integers().lessOrEqual(0), Arbitraries.integers().greaterOrEqual(MAX_PERMITS + 1));
    }

    @Property(tries = 200)
    void bridgeAcquiresRefusePermitsOutOfRangeNamingThem(@ForAll("badPermits") int permits) {
        final String value = String.valueOf(permits);
        final Executor never = command -> {
            throw new AssertionError("nothing may be queued for " + permits + " permits");
        };
        final AtomicInteger ran = new AtomicInteger();
        refused(IllegalArgumentException.class, value, () -> bridge.acquire(permits));
        refused(IllegalArgumentException.class, value, () -> bridge.tryAcquire(permits));
        refused(IllegalArgumentException.class, value, () -> bridge.tryAcquire(permits, 0, TimeUnit.SECONDS));
        refused(IllegalArgumentException.class, value, () -> bridge.tryAcquire(permits, 1, TimeUnit.MILLISECONDS));
        refused(IllegalArgumentException.class, value, () -> bridge.acquireAsync(permits));
        refused(
                IllegalArgumentException.class,
                value,
                () -> bridge.acquireAndRun(permits, ran::incrementAndGet, never));
        assertEquals(0, ran.get(), "work never ran");
        unchanged();
    }

    @Property(tries = 200)
    void bridgeReleaseRefusesPermitsOutOfRangeNamingThem(@ForAll("badPermits") int permits) {
        // <= 0 is an argument error; more than maxPermits would raise the count above it (the count is full here)
        final Class<? extends RuntimeException> type =
                permits <= 0 ? IllegalArgumentException.class : IllegalStateException.class;
        refused(type, String.valueOf(permits), () -> bridge.release(permits));
        unchanged();
    }

    @Example
    void bridgeRefusesNullArgumentsNamingTheParameter() {
        refused(NullPointerException.class, "semaphore", () -> SemaphoreBridge.attach(null));
        refused(NullPointerException.class, "semaphore", () -> SemaphoreBridge.attach(null, SemaphoreBridge.options()));
        refused(NullPointerException.class, "options", () -> SemaphoreBridge.attach(new RtSemaphore(1), null));
        refused(NullPointerException.class, "unit", () -> bridge.tryAcquire(1, 1, null));
        refused(NullPointerException.class, "work", () -> bridge.acquireAndRun(1, null, Runnable::run));
        refused(NullPointerException.class, "executor", () -> bridge.acquireAndRun(1, () -> {}, null));
        refused(NullPointerException.class, "context", () -> bridge.stats().holds(null));
        refused(NullPointerException.class, "context", () -> bridge.stats().holdTimes(null));
        refused(IllegalStateException.class, "already attached", () -> SemaphoreBridge.attach(sem));
        unchanged();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Options: every duration, accepted exactly within range
    // ---------------------------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Long> times() {
        return Refusals.times();
    }

    @Property(tries = 200)
    void optionDurationsAreAcceptedExactlyWithinTheirRange(@ForAll("times") long time, @ForAll TimeUnit unit) {
        final SemaphoreBridge.Options b = SemaphoreBridge.options();
        final long second = TimeUnit.SECONDS.toNanos(1);
        final long day = TimeUnit.DAYS.toNanos(1);
        durationOption("wakePollInterval", 0, second, b::wakePollInterval, time, unit);
        durationOption("timerSlack", 0, second, b::timerSlack, time, unit);
        durationOption("holdTimeHighestTrackable", 1_000, day, b::holdTimeHighestTrackable, time, unit);
    }

    @Example
    void optionsRefuseNullArgumentsNamingTheParameter() {
        final SemaphoreBridge.Options b = SemaphoreBridge.options();
        refused(NullPointerException.class, "policy", () -> b.modeSwitchPolicy(null));
        refused(NullPointerException.class, "name", () -> b.name(null));
        refused(NullPointerException.class, "wakePollInterval", () -> b.wakePollInterval(1, null));
        refused(NullPointerException.class, "timerSlack", () -> b.timerSlack(1, null));
        refused(NullPointerException.class, "holdTimeHighestTrackable", () -> b.holdTimeHighestTrackable(1, null));
    }
}
