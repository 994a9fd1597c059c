package io.rtsem.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.bridge.KernelThreadStat;
import io.rtsem.bridge.ModeSwitchPolicy;
import io.rtsem.bridge.SemaphoreBridge;
import io.rtsem.bridge.Threads;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.SchedulingPolicy;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** ResourcePool: exact conservation, bookkeeping off the real-time path, owner-death reclaim, misuse. */
class ResourcePoolTest {
    private static List<String> resources(int n) {
        return IntStream.range(0, n).mapToObj(i -> "r" + i).collect(Collectors.toList());
    }

    @Test
    void thePoolsWakeServiceRunsAtTheBridgesDefaultOrTheRealTimePriorityAsked() throws Exception {
        try (ResourcePool<String> pool =
                ResourcePool.of(resources(1), ResourcePool.options().name("wpd"))) {
            assertEquals(KernelThreadStat.OTHER, KernelThreadStat.single("wpd-wake").policy);
            assertEquals(
                    SemaphoreBridge.DEFAULT_WAKE_SCHEDULING,
                    pool.wakeServiceScheduling().requested());
            assertEquals(SchedulingPolicy.OTHER, pool.wakeServiceScheduling().policy());
            assertEquals(KernelThreadStat.OTHER, KernelThreadStat.single("wpd-books").policy, "the bookkeeper");
        }
        try (ResourcePool<String> pool = ResourcePool.of(
                resources(1),
                ResourcePool.options()
                        .name("wpf")
                        .wakeScheduling(RtScheduling.fifo(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY)))) {
            final KernelThreadStat kernel = KernelThreadStat.single("wpf-wake");
            assertEquals(KernelThreadStat.FIFO, kernel.policy, kernel.toString());
            assertEquals(SemaphoreBridge.REAL_TIME_WAKE_PRIORITY, kernel.rtPriority, kernel.toString());
            assertEquals(SchedulingPolicy.FIFO, pool.wakeServiceScheduling().policy());
        }
    }

    @Test
    void allocateAndFreeKeepTheCountExact() throws Exception {
        try (ResourcePool<String> pool = ResourcePool.of(resources(3))) {
            final Lease<String> a = pool.tryAllocate();
            final Lease<String> b = pool.allocate(1, TimeUnit.SECONDS);
            final Lease<String> c = pool.tryAllocate();
            assertNotNull(a);
            assertNotNull(b);
            assertNotNull(c);
            assertEquals(0, pool.available());
            assertNull(pool.tryAllocate());
            assertNull(pool.allocate(10, TimeUnit.MILLISECONDS), "times out");
            assertEquals(
                    3,
                    List.of(a.resource(), b.resource(), c.resource()).stream()
                            .distinct()
                            .count());
            b.close();
            assertEquals(1, pool.available());
            final Lease<String> d = pool.tryAllocate();
            assertSame(b, d, "the slot's one pre-allocated lease is reused");
            a.close();
            c.close();
            d.close();
            assertEquals(3, pool.available());
            assertEquals(4, pool.allocations(RtContext.NON_RT));
            assertEquals(4, pool.frees(RtContext.NON_RT));
        }
    }

    @Test
    void misuseIsRefusedClearlyAndTheCountStaysExact() throws Exception {
        try (ResourcePool<String> pool = ResourcePool.of(resources(2))) {
            final Lease<String> lease = pool.tryAllocate();
            final FutureTask<IllegalStateException> foreign = Threads.start(
                    "stranger", RtContext.NON_RT, () -> assertThrows(IllegalStateException.class, lease::close));
            assertTrue(foreign.get(20, TimeUnit.SECONDS).getMessage().contains("foreign lease"));
            assertEquals(1, pool.available(), "a foreign close frees nothing");

            lease.close();
            final IllegalStateException twice = assertThrows(IllegalStateException.class, lease::close);
            assertTrue(twice.getMessage().contains("double close"), twice.getMessage());
            final IllegalStateException after = assertThrows(IllegalStateException.class, lease::resource);
            assertTrue(after.getMessage().contains("use after close"), after.getMessage());
            assertEquals(2, pool.available(), "double close frees nothing twice");

            // a lease handed over is closed by its new owner
            final Lease<String> handed = pool.tryAllocate();
            final FutureTask<Void> receiver = Threads.start("receiver", RtContext.NON_RT, () -> {
                Threads.awaitTrue("handed over", () -> handed.owner() == Thread.currentThread());
                handed.close();
                return null;
            });
            Threads.awaitTrue("receiver running", () -> receiver.isDone() || pool.available() == 1);
            handed.transferTo(findThread("receiver"));
            receiver.get(20, TimeUnit.SECONDS);
            assertEquals(2, pool.available());
        }
        final ResourcePool<String> closed = ResourcePool.of(resources(1));
        closed.close();
        assertThrows(IllegalStateException.class, closed::tryAllocate);
        assertThrows(IllegalArgumentException.class, () -> ResourcePool.of(List.of()));
    }

    @Test
    void transferToRefusesNoThreadAndThreadsThatAreNotRunning() throws Exception {
        try (ResourcePool<String> pool = ResourcePool.of(resources(1))) {
            final Lease<String> lease = pool.tryAllocate();
            final IllegalArgumentException none =
                    assertThrows(IllegalArgumentException.class, () -> lease.transferTo(null));
            assertTrue(none.getMessage().contains("null"), none.getMessage());

            final Thread unstarted = new Thread(() -> {}, "never-started");
            final IllegalArgumentException notStarted =
                    assertThrows(IllegalArgumentException.class, () -> lease.transferTo(unstarted));
            assertTrue(
                    notStarted.getMessage().contains("'never-started'")
                            && notStarted.getMessage().contains("NEW"),
                    notStarted.getMessage());

            final Thread ended = new Thread(() -> {}, "already-ended");
            ended.start();
            ended.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(ended.isAlive());
            final IllegalArgumentException dead =
                    assertThrows(IllegalArgumentException.class, () -> lease.transferTo(ended));
            assertTrue(
                    dead.getMessage().contains("'already-ended'")
                            && dead.getMessage().contains("TERMINATED"),
                    dead.getMessage());

            assertSame(Thread.currentThread(), lease.owner(), "a refused transfer changes nothing");
            assertTrue(lease.isHeld());
            lease.transferTo(Thread.currentThread()); // to the caller itself: allowed
            pool.syncBookkeeping();
            assertEquals(0, pool.reclaimed(), "nothing handed to a dead thread, so nothing reclaimed");
            assertEquals(1, pool.holdings().size());
            lease.close();
            assertEquals(1, pool.available());
        }
    }

    /**
     * Three threads pass one lease around (a pool of one resource has one lease object): the owner transfers it on
     * or closes it; a thread that finds it free allocates it; a thread that does not own it keeps trying to close it
     * or take it over by a transfer to itself, and must be refused. Every allocation is matched by exactly one close
     * or reclaim, no legitimate transfer is refused, and the resource is never lost or doubled (a non-owner's close
     * going through would release above the pool's size, or make the counts disagree). Bounded by a round count and
     * a deadline.
     */
    @Test
    void racingTransfersAndClosesHaveExactlyOneWinner() throws Exception {
        final int threads = 3;
        try (ResourcePool<String> pool = ResourcePool.of(resources(1))) {
            final Thread[] runners = new Thread[threads];
            final AtomicLong allocations = new AtomicLong();
            final AtomicLong closes = new AtomicLong();
            final AtomicLong transfers = new AtomicLong();
            final AtomicLong refused = new AtomicLong();
            final AtomicReference<Throwable> unexpected = new AtomicReference<>();
            final CountDownLatch started = new CountDownLatch(threads);
            final CountDownLatch finished = new CountDownLatch(threads);
            final Lease<String> lease = pool.tryAllocate(); // the pool's one lease object, the same every time
            lease.close();
            final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            for (int t = 0; t < threads; t++) {
                final int me = t;
                runners[t] = new Thread(
                        () -> {
                            try {
                                started.countDown();
                                started.await();
                                final Random random = new Random(me);
                                for (int i = 0;
                                        i < 1_000_000 && unexpected.get() == null && System.nanoTime() - end < 0;
                                        i++) {
                                    if (!lease.isHeld()) {
                                        if (pool.tryAllocate() != null) {
                                            allocations.incrementAndGet();
                                        }
                                        continue;
                                    }
                                    if (lease.owner() == Thread.currentThread()) {
                                        if (random.nextInt(4) == 0) {
                                            lease.close();
                                            closes.incrementAndGet();
                                        } else {
                                            lease.transferTo(runners[(me + 1 + random.nextInt(threads - 1)) % threads]);
                                            transfers.incrementAndGet();
                                        }
                                        continue;
                                    }
                                    if ((i & 7) != 0) {
                                        Thread.yield(); // let the owner run
                                        continue;
                                    }
                                    try { // not ours when we looked: must be refused, unless it has become ours since
                                        if (random.nextBoolean()) {
                                            lease.close();
                                            closes.incrementAndGet();
                                        } else {
                                            lease.transferTo(Thread.currentThread());
                                        }
                                    } catch (IllegalStateException expected) {
                                        refused.incrementAndGet();
                                    }
                                }
                                // No thread ends while another may still hand it the lease.
                                finished.countDown();
                                finished.await();
                            } catch (Throwable ex) {
                                unexpected.compareAndSet(null, ex);
                                finished.countDown();
                            }
                        },
                        "passer-" + t);
                runners[t].setDaemon(true);
            }
            for (final Thread runner : runners) {
                runner.start();
            }
            for (final Thread runner : runners) {
                runner.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(runner.isAlive(), runner.getName() + " still running");
            }
            if (unexpected.get() != null) {
                throw new AssertionError("unexpected failure in a passer", unexpected.get());
            }
            // A lease still held by a finished thread is reclaimed: exactly one way out per allocation.
            pool.syncBookkeeping();
            assertEquals(
                    allocations.get(),
                    closes.get() + pool.reclaimed(),
                    "allocations " + allocations + ", closes " + closes + ", reclaimed " + pool.reclaimed()
                            + ", transfers " + transfers);
            assertEquals(1, pool.available(), "the resource is back, once");
            assertTrue(pool.holdings().isEmpty(), pool.holdings().toString());
            assertTrue(transfers.get() >= 10 && refused.get() >= 10, "transfers " + transfers + ", refused " + refused);
            System.out.println("passers: " + allocations + " allocations, " + transfers + " transfers, " + closes
                    + " closes, " + pool.reclaimed() + " reclaimed, " + refused + " non-owner calls refused");
        }
    }

    private static Thread findThread(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void bookkeepingViewShowsWhoHoldsWhatSinceWhen() throws Exception {
        try (ResourcePool<String> pool = ResourcePool.of(resources(4))) {
            final Thread main = Thread.currentThread();
            final Lease<String> mine = pool.tryAllocate();
            Thread.sleep(5);
            final FutureTask<Lease<String>> hard = Threads.start("hard-holder", RtContext.HARD, () -> {
                final Lease<String> l = pool.tryAllocate();
                l.transferTo(main); // so that its thread's end does not reclaim it
                return l;
            });
            final Lease<String> theirs = hard.get(20, TimeUnit.SECONDS);
            pool.syncBookkeeping();
            final List<ResourcePool.Holding> holdings = pool.holdings();
            assertEquals(2, holdings.size(), holdings.toString());
            final ResourcePool.Holding longest = pool.longestCurrentHold();
            assertEquals(mine.resource(), longest.resource());
            assertEquals(Thread.currentThread().getName(), longest.owner());
            assertEquals(RtContext.NON_RT, longest.context());
            // handed over to this thread: the view names the owner now, with the allocation's context and time
            assertTrue(
                    holdings.stream()
                            .anyMatch(h -> h.context() == RtContext.HARD
                                    && h.owner().equals(main.getName())
                                    && h.resource().equals(theirs.resource())
                                    && h.sinceNanos() == theirs.sinceNanos()),
                    holdings.toString());
            assertEquals(1, pool.allocations(RtContext.HARD));
            assertEquals(1, pool.allocations(RtContext.NON_RT));
            mine.close();
            theirs.close();
            pool.syncBookkeeping();
            assertTrue(pool.holdings().isEmpty());
            assertNull(pool.longestCurrentHold());
            assertEquals(0, pool.reclaimed(), "transferred leases are not reclaimed");
        }
    }

    /**
     * The bookkeeper drains one ring after the other, so records of different threads reach it out of order. Rings
     * are drained in the order of the threads' first pool call: the test thread registers first, so its records are
     * applied before those of a helper thread that acted earlier. The view must still end at the latest transition.
     */
    @Test
    void bookkeepingViewFollowsTheLeaseGenerationNotTheDrainOrder() throws Exception {
        final String me = Thread.currentThread().getName();
        // A helper allocates and frees the resource, then the test thread allocates it: drained in the order
        // [mine: ALLOCATE g3] [helper's: ALLOCATE g1, FREE g2]; the free of g2 must not erase the allocation of g3.
        try (ResourcePool<String> pool = ResourcePool.of(resources(1))) {
            pool.registerCurrentThread();
            pool.stallBookkeeping(true);
            Threads.call(RtContext.NON_RT, () -> {
                pool.tryAllocate().close();
                return null;
            });
            final Lease<String> mine = pool.tryAllocate();
            pool.stallBookkeeping(false);
            pool.syncBookkeeping();
            final List<ResourcePool.Holding> holdings = pool.holdings();
            assertEquals(1, holdings.size(), "freed by one thread, re-allocated by another: " + holdings);
            assertEquals(me, holdings.get(0).owner());
            mine.close();
        }
        // A helper allocates and hands the lease to the test thread, which frees it: drained in the order
        // [mine: FREE] [helper's: ALLOCATE]; the older allocation must not overwrite the newer free.
        try (ResourcePool<String> pool = ResourcePool.of(resources(1))) {
            pool.registerCurrentThread();
            pool.stallBookkeeping(true);
            final Thread main = Thread.currentThread();
            final Lease<String> handed = Threads.call(RtContext.NON_RT, () -> {
                final Lease<String> lease = pool.tryAllocate();
                lease.transferTo(main);
                return lease;
            });
            handed.close();
            pool.stallBookkeeping(false);
            pool.syncBookkeeping();
            assertTrue(pool.holdings().isEmpty(), "freed after a transfer: " + pool.holdings());
            assertEquals(1, pool.available());
        }
    }

    @Test
    void leasesOfATerminatedOwnerAreReclaimedAndReported() throws Exception {
        try (ResourcePool<String> pool =
                ResourcePool.of(resources(3), ResourcePool.options().bookkeepingInterval(1, TimeUnit.MILLISECONDS))) {
            final FutureTask<Lease<String>> dying = Threads.start("dies-holding", RtContext.SOFT, () -> {
                pool.tryAllocate();
                return pool.tryAllocate();
            });
            final Lease<String> leaked = dying.get(20, TimeUnit.SECONDS);
            Threads.awaitTrue("reclaimed", () -> pool.reclaimed() == 2);
            assertEquals(3, pool.available());
            final List<String> reports = pool.reclaims();
            assertEquals(2, reports.size());
            assertTrue(reports.get(0).contains("terminated thread 'dies-holding' (SOFT)"), reports.toString());
            assertThrows(IllegalStateException.class, leaked::resource, "a reclaimed lease is dead");
            pool.syncBookkeeping();
            assertTrue(pool.holdings().isEmpty());
        }
    }

    @Test
    void droppedRecordsAreCountedWhileTheBookkeeperStallsAndHardAllocationGoesOn() throws Exception {
        final int capacity = 64;
        try (ResourcePool<String> pool =
                ResourcePool.of(resources(2), ResourcePool.options().ringCapacity(capacity))) {
            pool.syncBookkeeping();
            pool.stallBookkeeping(true);
            final int cycles = 10_000;
            final long[] worst = new long[1];
            final Long allocated = Threads.call(RtContext.HARD, () -> {
                pool.registerCurrentThread();
                long ok = 0;
                for (int i = 0; i < cycles; i++) {
                    final long t0 = System.nanoTime();
                    final Lease<String> lease = pool.tryAllocate();
                    lease.close();
                    worst[0] = Math.max(worst[0], System.nanoTime() - t0);
                    ok++;
                }
                // keep the thread (and its ring) alive until the test has looked
                return ok;
            });
            assertEquals(cycles, allocated, "the writer never failed nor blocked");
            assertEquals(
                    2L * cycles - capacity,
                    pool.droppedRecords(),
                    "every record beyond the ring is dropped," + " exactly");
            assertEquals(cycles, pool.allocations(RtContext.HARD), "counts stay exact despite drops");
            assertEquals(cycles, pool.frees(RtContext.HARD));
            pool.stallBookkeeping(false);
            pool.syncBookkeeping();
            assertTrue(pool.holdings().isEmpty(), "view rebuilt from the leases after the drop");
            assertEquals(2, pool.available());
            System.out.println("stalled bookkeeper: " + pool.droppedRecords() + " records dropped; worst HARD "
                    + "tryAllocate+close " + worst[0] + " ns (includes two nanoTime calls)");
        }
    }

    /**
     * The rings of threads that ended are retired: their counts move into the pool's totals. A reader must never
     * see a ring's counts twice (in the ring and in the totals) nor not at all. Short-lived threads allocate one
     * after another while a reader checks, every time, that the count lies between the allocations finished and the
     * allocations started. Bounded: a fixed number of threads.
     */
    @Test
    void countsStayExactWhileTheRingsOfEndedThreadsAreRetired() throws Exception {
        try (ResourcePool<String> pool =
                ResourcePool.of(resources(2), ResourcePool.options().bookkeepingInterval(1, TimeUnit.MILLISECONDS))) {
            final AtomicLong started = new AtomicLong();
            final AtomicLong finished = new AtomicLong();
            final AtomicBoolean done = new AtomicBoolean();
            final FutureTask<String> reader = Threads.start("reader", RtContext.NON_RT, () -> {
                long reads = 0;
                while (!done.get()) {
                    final long low = finished.get();
                    final long count = pool.allocations(RtContext.NON_RT);
                    final long high = started.get();
                    reads++;
                    if (count < low || count > high) {
                        return "allocations() read " + count + " with " + low + " finished and " + high
                                + " started (read " + reads + ")";
                    }
                }
                return null;
            });
            final int threads = 300;
            for (int t = 0; t < threads; t++) {
                Threads.call(RtContext.NON_RT, () -> {
                    for (int i = 0; i < 20; i++) {
                        started.incrementAndGet();
                        pool.tryAllocate().close();
                        finished.incrementAndGet();
                    }
                    return null;
                });
                if ((t & 15) == 0) {
                    pool.syncBookkeeping(); // let retirements happen while the reader reads
                }
            }
            pool.syncBookkeeping();
            done.set(true);
            assertNull(reader.get(20, TimeUnit.SECONDS));
            assertEquals(threads * 20L, pool.allocations(RtContext.NON_RT));
            assertEquals(threads * 20L, pool.frees(RtContext.NON_RT));
        }
    }

    @Test
    void hardTryAllocateAndCloseAllocateNothing() throws Exception {
        final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ResourcePool<String> pool = ResourcePool.of(resources(4))) {
            final long bytes = Threads.call(RtContext.HARD, () -> {
                pool.registerCurrentThread();
                for (int round = 0; round < 3; round++) { // warm-up: JIT (normal calls, not only OSR), linkage
                    for (int c = 0; c < 100; c++) {
                        pairs(pool, 1_000);
                    }
                    Thread.sleep(100); // let the compiler finish what the calls queued
                }
                final long before = mx.getCurrentThreadAllocatedBytes();
                pairs(pool, 100_000);
                return mx.getCurrentThreadAllocatedBytes() - before;
            });
            assertEquals(0, bytes, "bytes allocated by 200,000 HARD tryAllocate+close pairs");
        }
    }

    private static void pairs(ResourcePool<String> pool, int n) {
        for (int i = 0; i < n; i++) {
            final Lease<String> a = pool.tryAllocate();
            final Lease<String> b = pool.tryAllocate();
            b.close();
            a.close();
        }
    }

    @Test
    void mixedContextStressConservesEveryResourceExactly() throws Exception {
        final int size = 8;
        try (ResourcePool<String> pool = ResourcePool.of(
                resources(size),
                ResourcePool.options().ringCapacity(256).bookkeepingInterval(1, TimeUnit.MILLISECONDS))) {
            final AtomicIntegerArray inUse = new AtomicIntegerArray(size);
            final AtomicLong violations = new AtomicLong();
            final AtomicBoolean stop = new AtomicBoolean();
            final List<FutureTask<long[]>> workers = new ArrayList<>();
            final RtContext[] contexts = {RtContext.HARD, RtContext.SOFT, RtContext.NON_RT, RtContext.NON_RT};
            for (int w = 0; w < contexts.length; w++) {
                final RtContext context = contexts[w];
                workers.add(Threads.start("stress-" + w + "-" + context, context, () -> {
                    pool.registerCurrentThread();
                    long ok = 0;
                    long none = 0;
                    final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(700);
                    int i = 0;
                    while (!stop.get() && System.nanoTime() - end < 0) {
                        final Lease<String> lease = (i++ & 1) == 0 || context == RtContext.HARD
                                ? pool.tryAllocate()
                                : pool.allocate(50, TimeUnit.MILLISECONDS);
                        if (lease == null) {
                            none++;
                            continue;
                        }
                        final int slot = Integer.parseInt(lease.resource().substring(1));
                        if (!inUse.compareAndSet(slot, 0, 1)) {
                            violations.incrementAndGet();
                        }
                        for (int s = 0; s < 20; s++) {
                            Thread.onSpinWait();
                        }
                        inUse.set(slot, 0);
                        lease.close();
                        ok++;
                    }
                    return new long[] {ok, none};
                }));
            }
            long total = 0;
            for (final FutureTask<long[]> worker : workers) {
                total += worker.get(30, TimeUnit.SECONDS)[0];
            }
            stop.set(true);
            assertEquals(0, violations.get(), "a resource was held by two threads at once");
            assertEquals(size, pool.available(), "every resource back");
            long allocations = 0;
            long frees = 0;
            for (final RtContext c : RtContext.values()) {
                allocations += pool.allocations(c);
                frees += pool.frees(c);
            }
            assertEquals(total, allocations);
            assertEquals(total, frees);
            assertTrue(
                    pool.allocations(RtContext.HARD) > 0
                            && pool.allocations(RtContext.SOFT) > 0
                            && pool.allocations(RtContext.NON_RT) > 0,
                    "all contexts allocated");
            pool.syncBookkeeping();
            assertTrue(pool.holdings().isEmpty(), pool.holdings().toString());
            for (int i = 0; i < size; i++) {
                final Lease<String> lease = pool.tryAllocate();
                assertNotNull(lease, "resource " + i + " allocatable");
            }
            assertNull(pool.tryAllocate());
            assertEquals(0, pool.reclaimed());
        }
    }

    @Test
    void hardAllocateWithTimeoutFollowsThePoolsModeSwitchPolicy() throws Exception {
        try (ResourcePool<String> pool =
                ResourcePool.of(resources(1), ResourcePool.options().modeSwitchPolicy(ModeSwitchPolicy.THROW))) {
            final Lease<String> held = pool.tryAllocate();
            final IllegalStateException ex = Threads.call(
                    RtContext.HARD,
                    () -> assertThrows(IllegalStateException.class, () -> pool.allocate(1, TimeUnit.MILLISECONDS)));
            assertTrue(
                    ex.getMessage().contains("mode switch") && ex.getMessage().contains("test-HARD"), ex.getMessage());
            held.close();
        }
        try (ResourcePool<String> pool =
                ResourcePool.of(resources(1), ResourcePool.options().modeSwitchPolicy(ModeSwitchPolicy.RECORD))) {
            final Lease<String> held = pool.tryAllocate();
            assertNull(Threads.call(RtContext.HARD, () -> pool.allocate(1, TimeUnit.MILLISECONDS)), "spun, timed out");
            assertEquals(1, pool.modeSwitches());
            held.close();
        }
    }
}
