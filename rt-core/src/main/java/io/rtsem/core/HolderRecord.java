package io.rtsem.core;

import net.openhft.affinity.Affinity;

/**
 * One thread's holdings across the semaphores it holds permits of, and the boost the kernel gives it now
 * (ARCHITECTURE P1, P4, P5, P7). Created by the thread itself on its first hold (allocates; reads the thread's tid
 * with one system call); kept in an {@link RtThread}'s field, or in a {@code ThreadLocal} for other threads.
 *
 * <p>The holdings array is written by the owner thread only (copy on write, volatile reference); the boost state is
 * guarded by this object's monitor, taken by boosters (waiters, the wake service) and by the holder when a release
 * finds a boost to undo. The monitor is never taken on a HARD thread.
 */
final class HolderRecord {
    private static final ThreadLocal<HolderRecord> LOCAL = new ThreadLocal<>();
    private static final Holding[] NONE = new Holding[0];

    /** The thread this record describes. */
    final Thread thread;
    /** {@link #tid} before the thread's first hold. */
    private static final int TID_UNKNOWN = -2;

    /**
     * Its kernel thread id, read by the thread itself on its first hold ({@link #readTidOnce}, one {@code gettid}),
     * or -1 if it could not be read (then it is never boosted, and a refusal is counted). Volatile: written once by
     * the owner before its first holding is published, read by boosters under this record's monitor.
     */
    private volatile int tid = TID_UNKNOWN;
    /**
     * For a thread that is not an RtThread: whether it declared itself HARD ({@code RtContext.enter}), so its holds
     * are not recorded (P1) with one ThreadLocal lookup instead of two. Written and read by the owner thread only.
     */
    private boolean declaredHard;

    /** This thread's holdings; written by the owner thread only (copy on write). */
    private volatile Holding[] holdings = NONE;

    // Guarded by `this`.
    private int wanted; // the boost last computed: the highest boost of a holding still held, 0 for none
    private boolean boosted; // whether the kernel's policy is ours now (else the thread's own)
    private int savedPolicy; // the thread's own policy, with its flags (SCHED_RESET_ON_FORK), before the first boost
    private int savedPriority;

    private HolderRecord(Thread thread) {
        this.thread = thread;
    }

    /** Reads the owner's tid on its first hold. Owner thread only; one system call the first time. */
    void readTidOnce() {
        if (tid == TID_UNKNOWN) {
            tid = tidOfCurrentThread();
        }
    }

    /**
     * The calling thread's record, created on first use; {@code null} for a HARD thread, which is never tracked
     * (P1). NON_RT or SOFT: the first call allocates and makes one system call ({@code gettid}).
     */
    static HolderRecord currentOrCreate() {
        final Thread thread = Thread.currentThread();
        if (thread instanceof RtThread) {
            final RtThread rt = (RtThread) thread;
            if (rt.context() == RtContext.HARD) {
                return null;
            }
            HolderRecord record = rt.holderRecord;
            if (record == null) {
                record = new HolderRecord(thread);
                rt.holderRecord = record;
            }
            return record;
        }
        HolderRecord record = LOCAL.get();
        if (record == null) {
            record = new HolderRecord(thread);
            LOCAL.set(record);
        }
        return record.declaredHard ? null : record;
    }

    /** The calling thread's record if it has one; {@code null} otherwise or on a HARD thread. Allocates nothing. */
    static HolderRecord current() {
        final Thread thread = Thread.currentThread();
        if (thread instanceof RtThread) {
            final RtThread rt = (RtThread) thread;
            return rt.context() == RtContext.HARD ? null : rt.holderRecord;
        }
        final HolderRecord record = LOCAL.get();
        return record == null || record.declaredHard ? null : record;
    }

    /**
     * The calling thread (not an RtThread) now runs as {@code context}, declared with {@code RtContext.enter} or
     * restored by closing a scope. Declaring HARD creates the record if needed (set-up time: allocates); any other
     * context only updates an existing one (no allocation, no system call).
     */
    static void declared(RtContext context) {
        HolderRecord record = LOCAL.get();
        if (context == RtContext.HARD) {
            if (record == null) {
                record = new HolderRecord(Thread.currentThread());
                LOCAL.set(record);
            }
            record.declaredHard = true;
        } else if (record != null) {
            record.declaredHard = false;
        }
    }

    private static int tidOfCurrentThread() {
        try {
            return Affinity.getThreadId();
        } catch (RuntimeException | LinkageError ex) {
            return -1;
        }
    }

    /** This thread's holding of {@code holders}' semaphore, or {@code null}. Allocates nothing. */
    Holding find(Holders holders) {
        for (final Holding h : holdings) {
            if (h.holders == holders) {
                return h;
            }
        }
        return null;
    }

    /**
     * How many holdings a record keeps before {@link #pruneReleased} drops released ones: a thread that uses up to
     * this many semaphores keeps all its holdings and never allocates again for them; one that uses more scans at most
     * this many (plus the ones it holds now) on each acquire and release.
     */
    static final int PRUNE_AT = 8;

    /**
     * Before a new holding is added: if the record has {@link #PRUNE_AT} holdings or more, drops those released and
     * not boosted (held 0, boost 0) from this record and from their semaphores' holder lists, so neither grows with
     * every semaphore the thread ever held. Owner thread only (it alone writes {@code held}, so a holding read as
     * released here stays released); called with no {@link Holders} lock held, and takes each dropped holding's one
     * at a time (never two at once: no lock order between semaphores). Allocates.
     *
     * <p>Races: each holding is judged once, under this record's monitor (which guards {@code boost}), and those
     * judged released are the ones deregistered. A booster that still finds a dropped holding in a snapshot of its
     * semaphore's list may set its boost after that; the holding holds nothing and is no longer in the record, so
     * {@code recompute} never counts it and no boost follows from it.
     */
    void pruneReleased() {
        final Holding[] old = holdings;
        if (old.length < PRUNE_AT) {
            return;
        }
        final Holding[] next = new Holding[old.length];
        final Holding[] dropped = new Holding[old.length];
        int kept = 0;
        int drops = 0;
        // One decision per holding, under the monitor that guards `boost`: a holding is either kept in the record
        // and left in its semaphore's list, or dropped from both (never kept here but delisted there).
        synchronized (this) {
            for (final Holding h : old) {
                if (h.held() != 0 || h.boost != 0) {
                    next[kept++] = h;
                } else {
                    dropped[drops++] = h;
                }
            }
            if (drops == 0) {
                return;
            }
            holdings = java.util.Arrays.copyOf(next, kept);
        }
        for (int i = 0; i < drops; i++) {
            dropped[i].holders.deregister(dropped[i]); // outside the record monitor: Holders' lock alone
        }
    }

    /** @return how many holdings this record keeps now (tests). */
    int holdingCount() {
        return holdings.length;
    }

    /** @return the holdings this record keeps now (tests; the array is never written after it is published). */
    Holding[] kept() {
        return holdings;
    }

    /** Adds a holding of {@code holders}' semaphore. Owner thread only; allocates. */
    Holding add(Holders holders) {
        final Holding h = new Holding(this, holders);
        final Holding[] old = holdings;
        final Holding[] next = java.util.Arrays.copyOf(old, old.length + 1);
        next[old.length] = h;
        holdings = next;
        return h;
    }

    /**
     * A booster asks that holding {@code h} (of this thread) have at least {@code priority} (P2). NON_RT or SOFT (or
     * the wake service), never HARD: may make system calls. Takes this record's monitor.
     */
    void boost(Holding h, int priority) {
        synchronized (this) {
            if (h.boost >= priority) {
                return;
            }
            // Volatile store, then the volatile load of `held` (P6): the holder's release does the reverse.
            h.boost = priority;
            // Released meanwhile or not, recompute: it clears the boost of a released holding and, if the holder's
            // release read our store too late to come here itself, undoes an earlier boost of this thread (P6).
            recompute(h.holders);
        }
    }

    /** Withdraws the boost of holding {@code h} (P5) and recomputes. Not HARD: may make system calls. */
    void withdraw(Holding h) {
        synchronized (this) {
            if (h.boost == 0) {
                return;
            }
            h.boost = 0;
            recompute(h.holders);
        }
    }

    /** The holder's release dropped holding {@code h} to 0 and found a boost on it (P5). Holder thread only. */
    void releasedBoosted(Holding h) {
        synchronized (this) {
            recompute(h.holders);
        }
    }

    /**
     * Sets the kernel's policy for this thread to what its holdings want now: FIFO at the highest boost of a holding
     * still held, or the thread's own policy (P4, P5). Under the monitor. Counts calls and refusals on
     * {@code counter}.
     */
    private void recompute(Holders counter) {
        try {
            recomputeOrThrow(counter);
        } catch (LinkageError | RuntimeException ex) {
            counter.refused(); // P9: never thrown at a waiter, a releaser or the wake service
        }
    }

    private void recomputeOrThrow(Holders counter) {
        int want = 0;
        for (final Holding h : holdings) {
            if (h.held() == 0) {
                h.boost = 0; // inert once released; cleared so the holder's next release does not come here again
            } else if (h.boost > want) {
                want = h.boost;
            }
        }
        if (want == wanted) {
            return;
        }
        wanted = want;
        if (want == 0) {
            if (boosted) {
                boosted = false;
                // P7: a dead thread took its policy with it, and its tid may be another thread's now
                if (thread.isAlive() && KernelScheduler.set(tid, savedPolicy, savedPriority) != 0) {
                    counter.refused();
                }
            }
            return;
        }
        if (tid < 0 || !thread.isAlive()) {
            counter.refused(); // P7: never call the kernel for a dead thread's (possibly reused) tid
            return;
        }
        if (!boosted) {
            final int policy = KernelScheduler.policyWithFlags(tid);
            final int priority = KernelScheduler.priority(tid);
            if (policy < 0 || priority < 0) {
                counter.refused();
                return;
            }
            savedPolicy = policy;
            savedPriority = priority;
            if (SchedulingPolicy.isDeadlineValue(policy)) {
                return; // SCHED_DEADLINE outranks every FIFO priority, and sched_setscheduler could not restore it
            }
            if (SchedulingPolicy.isRealTimeValue(policy) && priority >= want) {
                return; // already at or above what is asked: its own policy stands
            }
        } else if (SchedulingPolicy.isRealTimeValue(savedPolicy) && savedPriority >= want) {
            boosted = false; // the boost fell to or below its own priority: give it back its own
            if (KernelScheduler.set(tid, savedPolicy, savedPriority) != 0) {
                counter.refused();
            }
            return;
        }
        final int flags = SchedulingPolicy.FIFO.linuxValue() | (savedPolicy & SchedulingPolicy.RESET_ON_FORK);
        if (KernelScheduler.set(tid, flags, want) == 0) {
            boosted = true;
            counter.boosted();
        } else {
            counter.refused(); // not retried until the wanted priority changes: no system call on every check
        }
    }
}
