package io.rtsem.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One semaphore's priority inheritance (ARCHITECTURE P1-P9): the holdings of the threads that hold its permits, the
 * boosting of holders by real-time waiters, and the HARD waiters' requests that the wake service serves.
 */
final class Holders {
    /**
     * Set once a SOFT or HARD thread exists in this JVM (an RtThread of either context, or {@code RtContext.enter});
     * until then no hold is recorded (P1). Volatile: read on every acquire and release of a semaphore with the boost
     * on, written once; a stale {@code false} read only delays the first records by a few acquires.
     */
    private static volatile boolean armed;

    private static final Holding[] NONE = new Holding[0];

    /** The holdings of this semaphore, one per thread that held it; copy on write under this object's monitor. */
    private volatile Holding[] list = NONE;

    /** Real-time waiters that are boosting now (P5: the last one to leave withdraws). */
    private final AtomicInteger boosting = new AtomicInteger();

    /**
     * The highest priority a HARD waiter asked holders to be boosted to, 0 for none (P3). Written by HARD waiters (a
     * plain volatile store: two HARD waiters racing may leave the lower one, and the next check of the higher one
     * writes it again); read and cleared by the wake service.
     */
    private volatile int hardRequest;

    /** Set by the last HARD booster to leave: the wake service withdraws the boosts for it (P3, P5). */
    private volatile boolean hardWithdraw;

    /** Whether holds are recorded from the first, whether or not the JVM is armed (an explicit builder request, P1). */
    private final boolean always;

    private final AtomicLong boosts = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    Holders(boolean always) {
        this.always = always;
    }

    /**
     * @return whether holds on this semaphore are recorded now (P1): always if the builder asked for it explicitly,
     *     else once the JVM is armed. One final and one volatile field load.
     */
    boolean recording() {
        return always || armed;
    }

    /** Arms hold recording in this JVM (P1). Called when a SOFT or HARD thread comes to exist. */
    static void arm() {
        if (!armed) {
            armed = true;
        }
    }

    /** @return whether holds are being recorded in this JVM (P1). */
    static boolean armed() {
        return armed;
    }

    /**
     * The calling thread took {@code permits}: records them, unless it is HARD (P1). NON_RT or SOFT; the first hold
     * of a thread on this semaphore allocates its holding (and maybe its record).
     */
    void took(int permits) {
        final HolderRecord record = HolderRecord.currentOrCreate();
        if (record == null) {
            return; // HARD: no record, no write
        }
        Holding h = record.find(this);
        if (h == null) {
            record.readTidOnce(); // before the holding is published: boosters find the tid with it
            record.pruneReleased(); // outside our lock: it takes other semaphores' locks, one at a time
            h = register(record);
        }
        h.add(permits);
    }

    /**
     * The calling thread released {@code permits}: takes them off its holding, and if that empties a boosted holding,
     * recomputes the thread's policy (P5). Allocates nothing; a system call only to undo a boost.
     */
    void released(int permits) {
        final HolderRecord record = HolderRecord.current();
        if (record == null) {
            return;
        }
        final Holding h = record.find(this);
        if (h == null || h.held() == 0) {
            return;
        }
        // The held store (a release store) before the load of boost; P6 says why no fence is needed.
        if (h.remove(permits) == 0 && h.boost != 0) {
            record.releasedBoosted(h);
        }
    }

    private synchronized Holding register(HolderRecord record) {
        final Holding h = record.add(this);
        final List<Holding> next = new ArrayList<>(list.length + 1);
        for (final Holding old : list) {
            if (old.record.thread.isAlive()) {
                next.add(old); // P7: the holdings of dead threads are dropped here
            }
        }
        next.add(h);
        list = next.toArray(NONE);
        return h;
    }

    /**
     * Drops {@code h}, a released holding its thread pruned ({@link HolderRecord#pruneReleased}), and the holdings of
     * dead threads (P7). The pruning thread only, NON_RT or SOFT; allocates.
     */
    synchronized void deregister(Holding h) {
        final List<Holding> next = new ArrayList<>(list.length);
        for (final Holding old : list) {
            if (old != h && old.record.thread.isAlive()) {
                next.add(old);
            }
        }
        list = next.toArray(NONE);
    }

    /** @return how many holdings this semaphore's list has now (tests). */
    int size() {
        return list.length;
    }

    /** @return the holdings listed now (tests; the array is never written after it is published). */
    Holding[] listed() {
        return list;
    }

    /**
     * A real-time waiter at {@code priority} starts boosting (once per wait, before its first {@link #boost}).
     * Any context: one atomic increment.
     */
    void startBoosting() {
        boosting.getAndIncrement();
    }

    /**
     * A waiter that boosted stops waiting (P5). The last one withdraws every boost of this semaphore: a SOFT or
     * NON_RT waiter itself (system calls), a HARD one by leaving the withdrawal to the wake service (one volatile
     * store).
     */
    void stopBoosting(boolean hard) {
        if (boosting.decrementAndGet() == 0) {
            if (hard) {
                hardWithdraw = true;
            } else {
                withdrawAll();
            }
        }
    }

    /**
     * Boosts every live holder of this semaphore, except the caller, that is below {@code priority} (P2). NON_RT or
     * SOFT only (system calls, takes holder records' monitors); HARD calls {@link #requestBoost} instead.
     */
    void boost(int priority) {
        final Thread self = Thread.currentThread();
        for (final Holding h : list) {
            if (h.held() != 0 && h.boost < priority && h.record.thread != self) {
                h.record.boost(h, priority);
            }
        }
    }

    /** A HARD waiter's request for {@link #boost} (P3): one volatile load and at most one volatile store. */
    void requestBoost(int priority) {
        if (hardRequest < priority) {
            hardRequest = priority;
        }
    }

    /** @return whether a HARD waiter's request or withdrawal waits for the wake service (two volatile loads). */
    boolean requestPending() {
        return hardRequest != 0 || hardWithdraw;
    }

    /**
     * Serves HARD waiters' requests (P3): boosts for a pending request, withdraws for a pending withdrawal. Run by
     * the wake service (NON_RT); system calls.
     */
    void serveRequests() {
        final int request = hardRequest;
        if (request != 0) {
            hardRequest = 0;
            // The service counts itself as a booster while it boosts: a waiter that leaves meanwhile does not
            // withdraw before the service's boost lands, and if it was the last, the service withdraws after (P5).
            try {
                if (boosting.incrementAndGet() > 1) {
                    boost(request);
                }
            } finally {
                stopBoosting(false);
            }
        }
        if (hardWithdraw) {
            hardWithdraw = false;
            if (boosting.get() == 0) {
                withdrawAll();
            }
        }
    }

    private void withdrawAll() {
        for (final Holding h : list) {
            if (h.boost != 0) {
                h.record.withdraw(h);
            }
        }
    }

    void boosted() {
        boosts.getAndIncrement();
    }

    void refused() {
        refusals.getAndIncrement();
    }

    long boosts() {
        return boosts.get();
    }

    long refusals() {
        return refusals.get();
    }
}
