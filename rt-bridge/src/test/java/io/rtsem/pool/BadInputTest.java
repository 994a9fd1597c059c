package io.rtsem.pool;

import static io.rtsem.bridge.Refusals.durationOption;
import static io.rtsem.bridge.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.bridge.Refusals;
import io.rtsem.core.RtContext;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Bad input to every public method of {@code io.rtsem.pool} that takes an argument (ResourcePool and its Options,
 * Lease; Holding and the no-argument methods take none; the bridge's are in {@code io.rtsem.bridge.BadInputTest}):
 * refused with a clear exception that names the bad value (or, for a {@code null}, the parameter), and nothing
 * changes. The ranges are generated (jqwik, 200 tries per property, edge cases included); null and state cases are
 * examples.
 */
class BadInputTest {
    private static ResourcePool<String> pool;

    @BeforeContainer
    static void setUp() {
        pool = ResourcePool.of(List.of("r0", "r1"));
    }

    @AfterContainer
    static void tearDown() {
        pool.close();
    }

    private static void unchanged() {
        assertEquals(2, pool.available(), "no resource taken");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Options: every duration and size, accepted exactly within range
    // ---------------------------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Long> times() {
        return Refusals.times();
    }

    @Property(tries = 200)
    void optionDurationsAreAcceptedExactlyWithinTheirRange(@ForAll("times") long time, @ForAll TimeUnit unit) {
        final ResourcePool.Options p = ResourcePool.options();
        final long second = TimeUnit.SECONDS.toNanos(1);
        final long day = TimeUnit.DAYS.toNanos(1);
        durationOption("wakePollInterval", 0, second, p::wakePollInterval, time, unit);
        durationOption("timerSlack", 0, second, p::timerSlack, time, unit);
        durationOption("maxBypass", 1, day, p::maxBypass, time, unit);
        durationOption("bookkeepingInterval", 1, TimeUnit.HOURS.toNanos(1), p::bookkeepingInterval, time, unit);
    }

    @Property(tries = 200)
    void ringCapacityIsAcceptedExactlyForPowersOfTwoUpTo2To20(@ForAll int capacity) {
        final ResourcePool.Options p = ResourcePool.options();
        if (capacity >= 1 && capacity <= 1 << 20 && Integer.bitCount(capacity) == 1) {
            p.ringCapacity(capacity);
            return;
        }
        refused(IllegalArgumentException.class, "ringCapacity", () -> p.ringCapacity(capacity));
        refused(IllegalArgumentException.class, String.valueOf(capacity), () -> p.ringCapacity(capacity));
    }

    @Example
    void optionsRefuseNullArgumentsNamingTheParameter() {
        final ResourcePool.Options p = ResourcePool.options();
        refused(NullPointerException.class, "policy", () -> p.modeSwitchPolicy(null));
        refused(NullPointerException.class, "name", () -> p.name(null));
        refused(NullPointerException.class, "wakePollInterval", () -> p.wakePollInterval(1, null));
        refused(NullPointerException.class, "timerSlack", () -> p.timerSlack(1, null));
        refused(NullPointerException.class, "maxBypass", () -> p.maxBypass(1, null));
        refused(NullPointerException.class, "bookkeepingInterval", () -> p.bookkeepingInterval(1, null));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // ResourcePool and Lease
    // ---------------------------------------------------------------------------------------------------------------

    @Example
    void poolFactoriesRefuseBadArgumentsNamingThem() {
        refused(NullPointerException.class, "resources", () -> ResourcePool.of(null));
        refused(NullPointerException.class, "resources", () -> ResourcePool.of(null, ResourcePool.options()));
        refused(NullPointerException.class, "options", () -> ResourcePool.of(List.of("x"), null));
        refused(NullPointerException.class, "resource 1", () -> ResourcePool.of(Arrays.asList("a", null, "c")));
        refused(IllegalArgumentException.class, "empty", () -> ResourcePool.of(List.of()));
    }

    /** A resource is free: the unit must be checked all the same, not only when the call has to wait. */
    @Example
    void poolAllocateRefusesANullUnitEvenWhenAResourceIsFree() {
        refused(NullPointerException.class, "unit", () -> pool.allocate(1, null));
        refused(NullPointerException.class, "unit", () -> pool.allocate(0, null));
        unchanged();
    }

    @Example
    void poolCountsRefuseANullContextNamingIt() {
        refused(NullPointerException.class, "context", () -> pool.allocations(null));
        refused(NullPointerException.class, "context", () -> pool.frees(null));
    }

    @Example
    void leaseTransferRefusesThreadsThatCannotOwnItNamingThem() throws Exception {
        final Lease<String> lease = pool.tryAllocate();
        try {
            refused(IllegalArgumentException.class, "null", () -> lease.transferTo(null));
            final Thread unstarted = new Thread(() -> {}, "bad-input-unstarted");
            refused(IllegalArgumentException.class, "'bad-input-unstarted'", () -> lease.transferTo(unstarted));
            final Thread ended = new Thread(() -> {}, "bad-input-ended");
            ended.start();
            ended.join(TimeUnit.SECONDS.toMillis(20));
            refused(IllegalArgumentException.class, "TERMINATED", () -> lease.transferTo(ended));
            assertSame(Thread.currentThread(), lease.owner(), "still the caller's");
        } finally {
            lease.close();
        }
        refused(IllegalStateException.class, "not held", () -> lease.transferTo(Thread.currentThread()));
        refused(IllegalStateException.class, "use after close", lease::resource);
        refused(IllegalStateException.class, "double close", lease::close);
        unchanged();
        assertTrue(pool.frees(RtContext.NON_RT) >= 1);
    }
}
