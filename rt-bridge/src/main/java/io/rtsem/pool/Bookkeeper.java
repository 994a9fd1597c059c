package io.rtsem.pool;

import io.rtsem.bridge.DaemonThreads;
import io.rtsem.core.RtContext;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The ordinary daemon thread of a {@link ResourcePool} that drains the rings, keeps the view and reclaims leases of
 * dead owners: one pass every bookkeeping interval, under this object's lock (so a test hook's pass and a stall see a
 * pass whole).
 *
 * <p>Threading: {@link #record} and the view's arrays only under this object's lock (a pass); the counters and the
 * reports are read by anyone. Allocates per pass (the view's {@code Holding}s, reports); never on the real-time
 * path.
 *
 * @param <R> the resource type.
 */
final class Bookkeeper<R> implements RecordRing.Sink, Runnable {
    private static final System.Logger LOG = System.getLogger(ResourcePool.class.getName());
    /** How a bookkeeping pass decides that an owner has ended. Non-capturing: one instance, no allocation per pass. */
    private static final Predicate<Thread> TERMINATED = thread -> !thread.isAlive();

    private final ResourcePool<R> pool;
    private final Lease<R>[] leases;
    private final long intervalNanos;
    final Thread thread;
    final AtomicLong reclaimed = new AtomicLong();
    final List<String> reclaimReports = new CopyOnWriteArrayList<>();
    /** The view: per slot, who holds it (from records), or null. Guarded by this. */
    private final ResourcePool.Holding[] view;
    /**
     * Per slot, the lease stamp the view reflects. Guarded by this. Rings are drained one after the other, so
     * records of different threads arrive out of order (a free by one thread after the re-allocation by
     * another); a record older than this stamp is stale and ignored.
     */
    private final long[] applied;

    volatile boolean stalled;
    private volatile boolean stopping;
    private volatile long passes;
    private long droppedSeen;

    Bookkeeper(ResourcePool<R> pool, Lease<R>[] leases, long intervalNanos, String name) {
        this.pool = pool;
        this.leases = leases;
        this.intervalNanos = intervalNanos;
        this.view = new ResourcePool.Holding[leases.length];
        this.applied = new long[leases.length];
        this.thread = DaemonThreads.create(this, name);
    }

    @Override
    public void run() {
        while (!stopping) {
            pass(false);
            LockSupport.parkNanos(this, intervalNanos);
        }
        pass(true);
    }

    private synchronized void pass(boolean last) {
        if (stalled && !last) {
            return;
        }
        final RingSet rings = pool.rings().set();
        for (int i = 0; i < rings.size(); i++) {
            rings.ring(i).drain(this);
        }
        final long dropped = pool.droppedRecords();
        if (dropped != droppedSeen) {
            LOG.log(
                    Level.WARNING,
                    "{0} bookkeeping records dropped (rings full: the bookkeeper fell behind);"
                            + " view rebuilt from the leases",
                    dropped - droppedSeen);
            droppedSeen = dropped;
            rebuildFromLeases();
        }
        reclaimDeadOwners(TERMINATED);
        pool.rings().retireEnded();
        passes++;
    }

    @Override
    public void record(byte kind, int slot, long stamp, Thread owner, int context, long timeNanos) {
        // Equal is applied: after a rebuild from the leases, the record of the stamp the rebuild saw says the same.
        if (stamp < applied[slot]) {
            return;
        }
        applied[slot] = stamp;
        if (kind == RecordRing.ALLOCATE || kind == RecordRing.TRANSFER) {
            view[slot] = new ResourcePool.Holding(
                    leases[slot].resourceUnchecked(), owner.getName(), RtContext.values()[context], timeNanos);
        } else {
            view[slot] = null;
        }
    }

    private void rebuildFromLeases() {
        for (int i = 0; i < leases.length; i++) {
            final Lease<R> lease = leases[i];
            final long s = lease.stamp();
            final Thread owner = lease.owner();
            applied[i] = Math.max(applied[i], s); // records of older transitions still in rings are stale
            view[i] = (s & 1L) == 0 || owner == null
                    ? null
                    : new ResourcePool.Holding(
                            lease.resourceUnchecked(), owner.getName(), lease.context(), lease.sinceNanos());
        }
    }

    private int reclaimDeadOwners(Predicate<Thread> ended) {
        int count = 0;
        for (final Lease<R> lease : leases) {
            final long s = lease.stamp();
            if ((s & 1L) == 0) {
                continue;
            }
            // Who owns generation s? An allocation writes the owner before its volatile store of the stamp, so
            // reading s and then the owner gives that owner (or a later one, with a later stamp: the CAS fails).
            // A transfer is the other way round: its CAS publishes s (s' + 2) first and the sender writes the
            // new owner after it, so between the two this read still returns the sender. The sender is alive
            // then, but it may end ("transfer, then exit") before the liveness test below, which would then
            // reclaim the lease from the new owner. So the owner is read again AFTER the test has seen the
            // owner ended: a thread's end happens-before isAlive() returning false (JLS 17.4.4), so every
            // write of that thread, its owner write after a transfer's CAS included, is visible to the second
            // read. Same thread twice: the ended thread was the owner of s when it ended (it can write no
            // other owner afterwards) and the CAS reclaims exactly generation s. Another thread: s (or a later
            // generation) was handed on, not ours to reclaim.
            final Thread owner = lease.owner();
            if (owner != null && ended.test(owner) && lease.owner() == owner && lease.casStamp(s, s + 1)) {
                final String report = lease.describe() + " reclaimed from terminated thread '" + owner.getName() + "' ("
                        + lease.context() + "), held " + (System.nanoTime() - lease.sinceNanos()) / 1_000 + " us";
                view[lease.slot] = null;
                applied[lease.slot] = Math.max(applied[lease.slot], s + 1);
                pool.returnSlot(lease.slot);
                reclaimReports.add(report);
                reclaimed.incrementAndGet(); // last: whoever sees the count sees the resource back and the report
                LOG.log(Level.WARNING, report);
                count++;
            }
        }
        return count;
    }

    synchronized int reclaimNow(Predicate<Thread> ended) {
        return reclaimDeadOwners(ended);
    }

    synchronized List<ResourcePool.Holding> holdings() {
        final List<ResourcePool.Holding> list = new ArrayList<>();
        for (final ResourcePool.Holding holding : view) {
            if (holding != null) {
                list.add(holding);
            }
        }
        return list;
    }

    void sync() {
        final long target = passes + 2;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (passes < target) {
            if (System.nanoTime() - deadline > 0 || !thread.isAlive()) {
                throw new IllegalStateException("bookkeeping pass did not complete within 10 s"
                        + (stalled ? " (stalled)" : "") + (thread.isAlive() ? "" : " (bookkeeper stopped)"));
            }
            LockSupport.unpark(thread);
            LockSupport.parkNanos(100_000L);
        }
    }

    /** Stops the thread after a last pass. NON_RT; blocks until it has ended, at most 5 s. */
    void stop() {
        stopping = true;
        LockSupport.unpark(thread);
        DaemonThreads.awaitEnd(thread);
    }
}
