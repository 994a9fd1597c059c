package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The synchronous bridge: wake service (B1-B3, B2a), mode switches (B5), hold times (B7), close (B8). */
class SemaphoreBridgeTest {
    /** The wake service's poll intervals under test, in µs: the default, and 0 (spin, yielding each turn). */
    static long[] pollIntervals() {
        return new long[] {SemaphoreBridge.DEFAULT_WAKE_POLL_NANOS / 1_000, 0};
    }

    /** (spin window, poll interval) in µs: the defaults, a short window, one that outlasts the test, spinning only. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> spinAndPoll() {
        final long spin = SemaphoreBridge.DEFAULT_WAKE_SPIN_NANOS / 1_000;
        final long poll = SemaphoreBridge.DEFAULT_WAKE_POLL_NANOS / 1_000;
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(spin, poll),
                org.junit.jupiter.params.provider.Arguments.of(200L, poll),
                org.junit.jupiter.params.provider.Arguments.of(1_000_000L, poll),
                org.junit.jupiter.params.provider.Arguments.of(0L, 0L));
    }

    @ParameterizedTest(name = "wake spin {0} us, poll {1} us")
    @MethodSource("spinAndPoll")
    void nonRtWaiterIsWokenByTheWakeServiceAfterAHardRelease(long spinMicros, long pollMicros) throws Exception { // B1
        // A park fallback of one hour: only the wake service can turn the HARD release into a wake-up.
        // (maxBypass too: a waiter also wakes by itself when it is about to become starving.)
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                sem,
                SemaphoreBridge.options()
                        .wakeSpin(spinMicros, TimeUnit.MICROSECONDS)
                        .wakePollInterval(pollMicros, TimeUnit.MICROSECONDS))) {
            aHardReleaseWakesAParkedNonRtWaiter(sem, bridge);
            assertEquals(0, sem.availablePermits());
        }
    }

    @Test
    void anIdleServicePollingForBoostRequestsWakesEveryWaiterThatParksBetweenItsPolls() throws Exception { // B2a
        // Holds recorded from the first (priorityBoost(true)): the idle service polls for HARD waiters' boost requests
        // every 1 ms without reading the semaphore's word, and learns of a parking waiter only from its nudge (or an
        // early end of its park). Fallbacks at an hour: a nudge lost is a hang, not a 1 ms delay.
        final RtSemaphore sem = RtSemaphore.builder()
                .priorityBoost(true)
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final java.util.Random random = new java.util.Random(42);
            for (int round = 0; round < 100; round++) {
                // The service goes idle after each wake; the next waiter parks at a pseudo-random point of its polls.
                java.util.concurrent.locks.LockSupport.parkNanos(500_000L + random.nextInt(2_500_000));
                aHardReleaseWakesAParkedNonRtWaiter(sem, bridge);
            }
            assertTrue(bridge.stats().wakeServiceIdlePolls() > 0, "the idle polls ran");
            assertEquals(0, sem.availablePermits());
        }
    }

    @Test
    void anIdleServicesBoostPollsStayInsideOneIdleParkUntilSomethingHappens() throws Exception { // B2a
        final RtSemaphore sem = RtSemaphore.builder().priorityBoost(true).build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            Threads.awaitTrue("20 idle polls", () -> bridge.stats().wakeServiceIdlePolls() >= 20);
            // Before B2a every 1 ms poll went round the main loop, re-reading the word and counting an idle park each
            // time; now the polls with nothing to do park again at once (a spurious early return may add one).
            final long parks = bridge.stats().wakeServiceIdleParks();
            assertTrue(
                    parks >= 1 && parks <= 3,
                    "idle parks " + parks + " for " + bridge.stats().wakeServiceIdlePolls() + " polls");
        }
    }

    /**
     * Parks a NON_RT waiter on {@code bridge}, releases one permit from a HARD thread and checks that the wake service
     * woke the waiter (the semaphore's fallbacks at an hour make any other way a hang).
     */
    private static void aHardReleaseWakesAParkedNonRtWaiter(RtSemaphore sem, SemaphoreBridge bridge) throws Exception {
        final Thread[] waiterThread = new Thread[1];
        final FutureTask<Boolean> waiter = Threads.start("waiter", RtContext.NON_RT, () -> {
            waiterThread[0] = Thread.currentThread();
            bridge.acquire(1);
            return true;
        });
        Threads.awaitTrue(
                "waiter parked",
                () -> sem.parkedWaiters() == 1
                        && waiterThread[0] != null
                        && waiterThread[0].getState() == Thread.State.TIMED_WAITING);
        Threads.call(RtContext.HARD, () -> {
            sem.release(1);
            return null;
        });
        assertTrue(waiter.get(20, TimeUnit.SECONDS));
        assertTrue(bridge.stats().wakeServiceWakes() >= 1, "the wake service did the wake-up");
    }

    /**
     * Runs {@code task} on a new thread named {@code name} that {@code chrt} put on SCHED_FIFO 10 from outside (so
     * that threads it starts inherit FIFO 10, without SCHED_RESET_ON_FORK), and returns its result.
     */
    private static <T> T onThreadPutOnFifo10(String name, java.util.concurrent.Callable<T> task) throws Exception {
        final Object[] result = new Object[1];
        final Throwable[] failed = new Throwable[1];
        final Thread thread = new Thread(
                () -> {
                    try {
                        final long tid = net.openhft.affinity.Affinity.getThreadId();
                        final Process chrt = new ProcessBuilder("chrt", "-f", "-p", "10", Long.toString(tid))
                                .redirectErrorStream(true)
                                .start();
                        final String out = new String(chrt.getInputStream().readAllBytes());
                        assertEquals(0, chrt.waitFor(), "chrt: " + out);
                        final KernelThreadStat self = KernelThreadStat.single(name);
                        assertEquals(KernelThreadStat.FIFO, self.policy, "FIFO in the kernel's view: " + self);
                        assertEquals(10, self.rtPriority, self.toString());
                        result[0] = task.call();
                    } catch (Throwable t) {
                        failed[0] = t;
                    }
                },
                name);
        thread.start();
        thread.join(30_000);
        if (failed[0] instanceof AssertionError) {
            throw (AssertionError) failed[0];
        }
        if (failed[0] != null) {
            throw new AssertionError("on the FIFO 10 thread " + name, failed[0]);
        }
        @SuppressWarnings("unchecked")
        final T t = (T) result[0];
        return t;
    }

    @ParameterizedTest(name = "wake poll {0} us")
    @MethodSource("pollIntervals")
    void wakeServiceIsParkedWithoutTimeoutWhileNobodyIsParked(long pollMicros) throws Exception { // B2
        // Boost off: with holds recorded the idle park is bounded (ARCHITECTURE P3), see the next test.
        final RtSemaphore sem = RtSemaphore.builder().priorityBoost(false).build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                sem, SemaphoreBridge.options().wakePollInterval(pollMicros, TimeUnit.MICROSECONDS))) {
            Threads.awaitWaiting(bridge.wakeServiceThread());
            Threads.awaitWaiting(bridge.grantThread());
            final long polls = bridge.stats().wakeServicePolls();
            Thread.sleep(100);
            assertEquals(polls, bridge.stats().wakeServicePolls(), "no polling while idle");
            assertEquals(Thread.State.WAITING, bridge.wakeServiceThread().getState());

            // a waiter parks: the service polls; the waiter leaves: the service is idle again
            final FutureTask<Boolean> waiter =
                    Threads.start("waiter", RtContext.NON_RT, () -> bridge.tryAcquire(1, 200, TimeUnit.MILLISECONDS));
            assertFalse(waiter.get(20, TimeUnit.SECONDS));
            assertTrue(bridge.stats().wakeServicePolls() > polls, "polled while a waiter was parked");
            Threads.awaitWaiting(bridge.wakeServiceThread());
        }
    }

    /** Parks a NON_RT waiter for 100 ms (nobody releases) on a bridge with these options; returns its stats. */
    private static BridgeStats parkOnce(SemaphoreBridge.Options options) throws Exception {
        final RtSemaphore sem = RtSemaphore.builder().priorityBoost(false).build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem, options)) {
            Threads.awaitWaiting(bridge.wakeServiceThread());
            final FutureTask<Boolean> waiter =
                    Threads.start("waiter", RtContext.NON_RT, () -> bridge.tryAcquire(1, 100, TimeUnit.MILLISECONDS));
            assertFalse(waiter.get(20, TimeUnit.SECONDS));
            Threads.awaitWaiting(bridge.wakeServiceThread());
            return bridge.stats();
        }
    }

    @Test
    void theSpinWindowYieldsOnEveryTurnThenTheServicePolls() throws Exception {
        // a window longer than the 100 ms park: every turn of the service while the waiter was parked was a yield
        final BridgeStats spun = parkOnce(SemaphoreBridge.options().wakeSpin(1, TimeUnit.SECONDS));
        assertTrue(spun.wakeServiceSpinTurns() > 0, spun.toString());
        assertEquals(spun.wakeServicePolls(), spun.wakeServiceSpinTurns(), "no timed poll inside the window: " + spun);
        // no window: every turn a timed poll
        final BridgeStats polled = parkOnce(SemaphoreBridge.options().wakeSpin(0, TimeUnit.NANOSECONDS));
        assertTrue(polled.wakeServicePolls() > 0, polled.toString());
        assertEquals(0, polled.wakeServiceSpinTurns(), polled.toString());
        // a 1 us window: it yields, then polls for the rest of the 100 ms
        final BridgeStats both = parkOnce(SemaphoreBridge.options().wakeSpin(1, TimeUnit.MICROSECONDS));
        assertTrue(both.wakeServicePolls() > both.wakeServiceSpinTurns(), "timed polls after the window: " + both);
    }

    @Test
    void theDefaultSpinWindowAppliesAtSchedOtherAndNotUnderARealTimeWakeScheduling() throws Exception {
        // the default: a window of DEFAULT_WAKE_SPIN_NANOS, then timed polls for the rest of the 100 ms park
        final BridgeStats byDefault = parkOnce(SemaphoreBridge.options());
        assertEquals(
                SemaphoreBridge.DEFAULT_WAKE_SPIN_NANOS, byDefault.wakeServiceSpinWindowNanos(), byDefault.toString());
        assertTrue(byDefault.wakeServiceSpinTurns() > 0, "yields inside the default window: " + byDefault);
        assertTrue(
                byDefault.wakeServicePolls() > byDefault.wakeServiceSpinTurns(),
                "timed polls after the default window: " + byDefault);
        // a real-time service (as root here): no window, every turn a timed poll (S4)
        final BridgeStats fifo = parkOnce(
                SemaphoreBridge.options().wakeScheduling(RtScheduling.fifo(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY)));
        assertEquals(0, fifo.wakeServiceSpinWindowNanos(), fifo.toString());
        assertTrue(fifo.wakeServicePolls() > 0, fifo.toString());
        assertEquals(0, fifo.wakeServiceSpinTurns(), "no yield at FIFO: " + fifo);
    }

    @Test
    void aServiceThatInheritsARealTimePolicyDropsTheDefaultWindow() throws Exception { // S4
        // Attached with wakeScheduling(unchanged) from a thread put on FIFO from outside, the service inherits FIFO.
        // An asked window is refused there (next test); the default one is dropped: it attaches, never yields, and
        // still wakes a NON_RT waiter after a HARD release (every fallback at an hour).
        final RtSemaphore sem = RtSemaphore.builder()
                .parkFallback(1, TimeUnit.HOURS)
                .maxBypass(1, TimeUnit.HOURS)
                .build();
        final SemaphoreBridge attached = onThreadPutOnFifo10(
                "fifo-attacher-d",
                () -> SemaphoreBridge.attach(
                        sem, SemaphoreBridge.options().name("inh-fifo-dflt").wakeScheduling(RtScheduling.unchanged())));
        try (SemaphoreBridge bridge = attached) {
            final KernelThreadStat service = KernelThreadStat.single("inh-fifo-dflt-w");
            assertEquals(KernelThreadStat.FIFO, service.policy, "the service inherited FIFO: " + service);
            assertEquals(
                    0,
                    bridge.stats().wakeServiceSpinWindowNanos(),
                    bridge.stats().toString());
            aHardReleaseWakesAParkedNonRtWaiter(sem, bridge);
            assertEquals(0, bridge.stats().wakeServiceSpinTurns(), "never yielded at FIFO: " + bridge.stats());
        }
    }

    @ParameterizedTest(name = "wake spin {0} us, poll {1} us")
    @CsvSource({"1000000, 20", "0, 0"})
    void aWakeServiceThatWouldYieldUnderAnInheritedRealTimePolicyIsRefused(long spinMicros, long pollMicros)
            throws Exception { // S4: sched_yield at FIFO yields to no lower thread
        // The service's policy can be real-time without a real-time wakeScheduling (which the options refuse with a
        // window or a poll of 0): attached with wakeScheduling(unchanged) from a thread put on FIFO from outside
        // (chrt, no SCHED_RESET_ON_FORK), the service inherits FIFO. attach refuses, and leaves nothing behind.
        final RtSemaphore sem = RtSemaphore.builder().priorityBoost(false).build();
        final IllegalStateException refused = onThreadPutOnFifo10(
                "fifo-attacher",
                () -> assertThrows(
                        IllegalStateException.class,
                        () -> SemaphoreBridge.attach(
                                sem,
                                SemaphoreBridge.options()
                                        .name("inherits-fifo")
                                        .wakeScheduling(RtScheduling.unchanged())
                                        .wakeSpin(spinMicros, TimeUnit.MICROSECONDS)
                                        .wakePollInterval(pollMicros, TimeUnit.MICROSECONDS))));
        final String message = refused.getMessage();
        assertTrue(message.contains("runs fifo:10") && message.contains("inherited"), message);
        assertTrue(
                message.contains(pollMicros == 0 ? "wakePollInterval 0" : "wakeSpin " + spinMicros * 1_000 + " ns"),
                message);
        assertTrue(message.contains("wakeScheduling(RtScheduling.other())"), "names the fix: " + message);
        assertEquals(null, sem.deferredWaker(), "nothing left attached");
        assertTrue(KernelThreadStat.named("inherits-fifo-w").isEmpty(), "no service thread left");
        // the same options from a SCHED_OTHER thread attach, and the service yields in its window
        if (spinMicros > 0) {
            final BridgeStats spun = parkOnce(SemaphoreBridge.options()
                    .wakeScheduling(io.rtsem.core.RtScheduling.unchanged())
                    .wakeSpin(spinMicros, TimeUnit.MICROSECONDS));
            assertTrue(spun.wakeServiceSpinTurns() > 0, spun.toString());
        }
    }

    @Test
    void whileHoldsAreRecordedTheIdleServiceParksAtMostAMillisecond() throws Exception { // B2, P3
        final RtSemaphore sem = RtSemaphore.builder().priorityBoost(true).build();
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            assertTrue(sem.priorityBoostActive());
            Threads.awaitTrue(
                    "timed idle park", () -> bridge.wakeServiceThread().getState() == Thread.State.TIMED_WAITING);
            assertEquals(0, sem.parkedWaiters());
        }
    }

    @Test
    void waitersStillWakeThroughTheFallbackOnceTheBridgeIsClosed() throws Exception { // B3
        final RtSemaphore sem =
                RtSemaphore.builder().parkFallback(2, TimeUnit.MILLISECONDS).build();
        final SemaphoreBridge bridge = SemaphoreBridge.attach(sem);
        final FutureTask<Boolean> waiter = Threads.start("waiter", RtContext.NON_RT, () -> {
            bridge.acquire(1);
            return true;
        });
        Threads.awaitTrue("waiter parked", () -> sem.parkedWaiters() == 1);
        bridge.close();
        assertNull(sem.deferredWaker(), "detached");
        assertFalse(bridge.stats().wakeServiceAlive());
        Threads.call(RtContext.HARD, () -> {
            sem.release(1);
            return null;
        });
        assertTrue(waiter.get(20, TimeUnit.SECONDS));
    }

    @Test
    void oneBridgePerSemaphore() {
        final RtSemaphore sem = new RtSemaphore(1);
        try (SemaphoreBridge ignored = SemaphoreBridge.attach(sem)) {
            assertThrows(IllegalStateException.class, () -> SemaphoreBridge.attach(sem));
        }
        try (SemaphoreBridge again = SemaphoreBridge.attach(sem)) {
            assertFalse(again.isClosed(), "a closed bridge detached, so a new one attaches");
        }
    }

    @Test
    void modeSwitchUnderThrowNamesTheThreadAndTheCallAndTakesNothing() throws Exception { // B5
        final RtSemaphore sem = new RtSemaphore(3);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            final IllegalStateException ex = Threads.call(
                    RtContext.HARD, () -> assertThrows(IllegalStateException.class, () -> bridge.acquire(1)));
            assertTrue(ex.getMessage().contains("test-HARD"), ex.getMessage());
            assertTrue(ex.getMessage().contains("acquire(int)"), ex.getMessage());
            assertEquals(3, sem.availablePermits(), "nothing taken");

            final IllegalStateException timed = Threads.call(
                    RtContext.HARD,
                    () -> assertThrows(IllegalStateException.class, () -> bridge.tryAcquire(1, 1, TimeUnit.SECONDS)));
            assertTrue(timed.getMessage().contains("tryAcquire(int, long, TimeUnit)"), timed.getMessage());

            // the HARD-safe calls are not checked
            assertTrue(Threads.call(RtContext.HARD, () -> {
                final boolean taken = bridge.tryAcquire(1) && bridge.tryAcquire(1, 0, TimeUnit.SECONDS);
                bridge.release(2);
                return taken;
            }));
            assertEquals(0, bridge.stats().modeSwitches());
            assertEquals(3, sem.availablePermits());
        }
    }

    @Test
    void modeSwitchUnderRecordIsCountedAndVisible() throws Exception { // B5
        final RtSemaphore sem = new RtSemaphore(1);
        try (SemaphoreBridge bridge =
                SemaphoreBridge.attach(sem, SemaphoreBridge.options().modeSwitchPolicy(ModeSwitchPolicy.RECORD))) {
            Threads.call(RtContext.HARD, () -> {
                bridge.acquire(1);
                bridge.release(1);
                bridge.tryAcquire(1, 1, TimeUnit.MILLISECONDS);
                bridge.release(1);
                return null;
            });
            assertEquals(2, bridge.stats().modeSwitches());
            final String last = bridge.stats().lastModeSwitch();
            assertNotNull(last);
            assertTrue(last.contains("test-HARD") && last.contains("tryAcquire(int, long, TimeUnit)"), last);
            assertTrue(bridge.toString().contains("modeSwitches=2"), bridge.toString());
            // NON_RT callers are never counted
            bridge.acquire(1);
            bridge.release(1);
            assertEquals(2, bridge.stats().modeSwitches());
        }
    }

    @Test
    void modeSwitchUnderAllowIsNotCounted() throws Exception {
        final RtSemaphore sem = new RtSemaphore(1);
        try (SemaphoreBridge bridge =
                SemaphoreBridge.attach(sem, SemaphoreBridge.options().modeSwitchPolicy(ModeSwitchPolicy.ALLOW))) {
            Threads.call(RtContext.HARD, () -> {
                bridge.acquire(1);
                bridge.release(1);
                return null;
            });
            assertEquals(0, bridge.stats().modeSwitches());
            assertNull(bridge.stats().lastModeSwitch());
        }
    }

    @Test
    void holdTimesAreRecordedPerContextOfTheThreadEndingTheHold() throws Exception { // B7
        final RtSemaphore sem = new RtSemaphore(2);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            bridge.acquire(1);
            Thread.sleep(20);
            bridge.release(1);
            Threads.call(RtContext.SOFT, () -> {
                bridge.acquire(2);
                bridge.release(1);
                bridge.release(1);
                return null;
            });
            Threads.call(RtContext.HARD, () -> {
                assertTrue(bridge.tryAcquire(1));
                bridge.release(1);
                return null;
            });
            assertEquals(1, bridge.stats().holds(RtContext.NON_RT));
            assertEquals(1, bridge.stats().holds(RtContext.SOFT), "a hold released in two parts is one hold");
            assertEquals(1, bridge.stats().holds(RtContext.HARD));
            final Histogram nonRt = bridge.stats().holdTimes(RtContext.NON_RT);
            assertEquals(1, nonRt.getTotalCount());
            assertTrue(nonRt.getMaxValue() >= TimeUnit.MILLISECONDS.toNanos(19), "slept 20 ms: " + nonRt.getMaxValue());
            assertEquals(0, bridge.stats().unmatchedReleases());

            // permits released by a thread that did not take them through the bridge are counted, not timed
            assertTrue(sem.tryAcquire(1));
            bridge.release(1);
            assertEquals(1, bridge.stats().unmatchedReleases());
            assertEquals(2, sem.availablePermits());
        }
    }

    /**
     * B7's counts are exact per hold: a hold released in parts is one sample, recorded when its last permit goes
     * back and timed from its acquire to that release; a partial release records nothing. One release that ends one
     * hold and part of the next records one sample. Fails on a ledger that records a sample per partial release
     * (holds() would count 5 here, not 3).
     */
    @Test
    void aHoldReleasedInPartsIsOneSampleRecordedAtItsLastPermit() throws Exception { // B7
        final RtSemaphore sem = new RtSemaphore(6);
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(sem)) {
            bridge.acquire(3);
            Thread.sleep(20);
            bridge.release(1);
            bridge.release(1);
            assertEquals(0, bridge.stats().holds(RtContext.NON_RT), "partial releases record nothing");
            Thread.sleep(20);
            bridge.release(1);
            assertEquals(1, bridge.stats().holds(RtContext.NON_RT), "one hold, one sample");
            final Histogram first = bridge.stats().holdTimes(RtContext.NON_RT);
            assertEquals(1, first.getTotalCount());
            assertTrue(
                    first.getMaxValue() >= TimeUnit.MILLISECONDS.toNanos(39),
                    "timed from the acquire to the last permit's release (slept 2 x 20 ms): " + first.getMaxValue());

            // holds of 1 and 2 permits; a release of 2 ends the first and half of the second
            bridge.acquire(1);
            bridge.acquire(2);
            bridge.release(2);
            assertEquals(2, bridge.stats().holds(RtContext.NON_RT), "the first hold ended, the second not yet");
            bridge.release(1);
            assertEquals(3, bridge.stats().holds(RtContext.NON_RT), "the second hold ended with its last permit");
            assertEquals(3, bridge.stats().holdTimes(RtContext.NON_RT).getTotalCount());
            assertEquals(0, bridge.stats().unmatchedReleases());
            assertEquals(6, sem.availablePermits());
        }
    }

    @Test
    void closedBridgeRefusesAcquiresButAcceptsReleases() throws Exception { // B8
        final RtSemaphore sem = new RtSemaphore(1);
        final SemaphoreBridge bridge = SemaphoreBridge.attach(sem);
        bridge.acquire(1);
        bridge.close();
        bridge.close(); // idempotent
        assertTrue(bridge.isClosed());
        assertThrows(IllegalStateException.class, () -> bridge.acquire(1));
        assertThrows(IllegalStateException.class, () -> bridge.tryAcquire(1));
        assertThrows(IllegalStateException.class, () -> bridge.acquireAsync(1));
        bridge.release(1);
        assertEquals(1, sem.availablePermits());
    }

    @Test
    void wakeServiceLowersItsTimerSlack() {
        final RtSemaphore sem = new RtSemaphore(1);
        // At SCHED_OTHER, where the slack applies (the PREFER default's fallback): Linux gives a real-time thread no
        // timer slack and ignores PR_SET_TIMERSLACK for it (this kernel reports 0 for the FIFO default).
        try (SemaphoreBridge bridge = SemaphoreBridge.attach(
                sem,
                SemaphoreBridge.options().timerSlack(2, TimeUnit.MICROSECONDS).wakeScheduling(RtScheduling.other()))) {
            Threads.awaitTrue("service started", () -> bridge.stats().wakeServiceTimerSlackNanos() != -1L);
            assertEquals(2_000L, bridge.stats().wakeServiceTimerSlackNanos());
        }
    }
}
