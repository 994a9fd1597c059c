package io.rtsem.core;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Every public method of rt-core that takes a number, with numbers out of its range (jqwik picks them, edge cases
 * first): each is refused with {@link IllegalArgumentException} whose message names the bad value, and the semaphore
 * is unchanged. (Null arguments: {@code RtSemaphoreContractTest.nullArgumentsAreRefused}.)
 */
class BadInputTest {
    private static final int MAX = 5;

    private static void refused(String what, long bad, Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException ex) {
            if (ex.getMessage() == null || !ex.getMessage().contains(Long.toString(bad))) {
                throw new AssertionError(
                        what + "(" + bad + "): the message does not name the value: " + ex.getMessage(), ex);
            }
            return;
        }
        throw new AssertionError(what + "(" + bad + ") was accepted");
    }

    private static void onFreshSemaphore(String what, long bad, Consumer<RtSemaphore> call) {
        final RtSemaphore sem = RtSemaphore.builder().permits(2).maxPermits(MAX).build();
        refused(what, bad, () -> call.accept(sem));
        if (sem.availablePermits() != 2 || sem.parkedWaiters() != 0 || sem.starvingWaiters() != 0) {
            throw new AssertionError(what + "(" + bad + ") changed the semaphore: " + sem);
        }
    }

    @Provide
    Arbitrary<Integer> badPermits() {
        return Arbitraries.oneOf(
                Arbitraries.integers().lessOrEqual(0), Arbitraries.integers().greaterOrEqual(MAX + 1));
    }

    @Property
    void permitCountsOutOfRangeAreRefused(@ForAll("badPermits") int bad) {
        onFreshSemaphore("tryAcquire", bad, sem -> sem.tryAcquire(bad));
        onFreshSemaphore("acquireUninterruptibly", bad, sem -> sem.acquireUninterruptibly(bad));
        onFreshSemaphore("acquire", bad, sem -> uncheck(() -> sem.acquire(bad)));
        onFreshSemaphore("tryAcquire(timed)", bad, sem -> uncheck(() -> sem.tryAcquire(bad, 1, TimeUnit.SECONDS)));
        onFreshSemaphore("tryAcquireUntil", bad, sem -> uncheck(() -> sem.tryAcquireUntil(bad, System.nanoTime())));
        if (bad <= 0) {
            onFreshSemaphore("release", bad, sem -> sem.release(bad));
        }
    }

    @Property
    void builderValuesOutOfRangeAreRefused(
            @ForAll @IntRange(min = Integer.MIN_VALUE, max = -1) int negative,
            @ForAll @LongRange(min = Long.MIN_VALUE, max = 0) long nonPositive,
            @ForAll @LongRange(min = 2, max = 1_000_000) long days) {
        refused("permits", negative, () -> RtSemaphore.builder().permits(negative));
        refused("maxPermits", negative, () -> RtSemaphore.builder().maxPermits(negative));
        refused("parkFallback", nonPositive, () -> RtSemaphore.builder().parkFallback(nonPositive, TimeUnit.SECONDS));
        refused("maxBypass", nonPositive, () -> RtSemaphore.builder().maxBypass(nonPositive, TimeUnit.NANOSECONDS));
        refused("parkFallback(days)", days, () -> RtSemaphore.builder().parkFallback(days, TimeUnit.DAYS));
        refused("maxBypass(days)", days, () -> RtSemaphore.builder().maxBypass(days, TimeUnit.DAYS));
        refused("ParkingWaitStrategy", negative, () -> new ParkingWaitStrategy(negative));
        refused("BackoffWaitStrategy spins", negative, () -> new BackoffWaitStrategy(negative, 1, 1, 2));
        refused("BackoffWaitStrategy yields", negative, () -> new BackoffWaitStrategy(1, negative, 1, 2));
        refused("BackoffWaitStrategy minNap", nonPositive, () -> new BackoffWaitStrategy(1, 1, nonPositive, 2));
    }

    @Property
    void initialPermitsAboveTheMaximumAreRefused(@ForAll @IntRange(min = MAX + 1) int permits) {
        refused(
                "build with permits",
                permits,
                () -> RtSemaphore.builder().permits(permits).maxPermits(MAX).build());
    }

    @Property
    void cpusThatDoNotExistAreRefused(@ForAll("badCpus") int cpu) {
        refused("RtThread.start cpu", cpu, () -> RtThread.start("bad-cpu", RtContext.NON_RT, cpu, () -> {}));
    }

    @Provide
    Arbitrary<Integer> badCpus() {
        final int cpus =
                Math.max(Runtime.getRuntime().availableProcessors(), net.openhft.affinity.AffinityLock.PROCESSORS);
        return Arbitraries.oneOf(
                Arbitraries.integers().lessOrEqual(-3), Arbitraries.integers().greaterOrEqual(cpus));
    }

    @Property
    void realTimePrioritiesOutside1To99AreRefused(@ForAll("badRtPriorities") int priority) {
        refused("RtScheduling.fifo", priority, () -> RtScheduling.fifo(priority));
        refused("RtScheduling.rr", priority, () -> RtScheduling.rr(priority));
        refused("RtScheduling.parse fifo", priority, () -> RtScheduling.parse("fifo:" + priority));
    }

    @Provide
    Arbitrary<Integer> badRtPriorities() {
        return Arbitraries.oneOf(
                Arbitraries.integers().lessOrEqual(0), Arbitraries.integers().greaterOrEqual(100));
    }

    @Property
    void aPriorityForAPolicyWithoutOneIsRefused(@ForAll @IntRange(min = 1, max = 99) int priority) {
        refused("RtScheduling.of OTHER", priority, () -> RtScheduling.of(SchedulingPolicy.OTHER, priority));
        refused("RtScheduling.parse batch", priority, () -> RtScheduling.parse("batch:" + priority));
    }

    @org.junit.jupiter.api.Test
    void unknownPoliciesAndMalformedSchedulingAreRefusedByName() {
        for (final String bad : new String[] {"sched_weird", "fifo", "fifo:abc", "deadline:1", "fifo:40/maybe", ""}) {
            try {
                RtScheduling.parse(bad);
            } catch (IllegalArgumentException ex) {
                final String name = bad.contains(":") ? bad.substring(bad.indexOf(':') + 1) : bad;
                if (!ex.getMessage().contains(name)) {
                    throw new AssertionError("parse('" + bad + "'): message does not name it: " + ex.getMessage());
                }
                continue;
            }
            throw new AssertionError("parse('" + bad + "') was accepted");
        }
        try {
            SchedulingPolicy.forName("bogus");
            throw new AssertionError("policy 'bogus' was accepted");
        } catch (IllegalArgumentException ex) {
            if (!ex.getMessage().contains("bogus")) {
                throw new AssertionError(ex.getMessage());
            }
        }
    }

    /** A call that may throw InterruptedException (never here: nothing is interrupted). */
    @FunctionalInterface
    private interface Interruptible {
        void run() throws InterruptedException;
    }

    private static void uncheck(Interruptible call) {
        try {
            call.run();
        } catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }
}
