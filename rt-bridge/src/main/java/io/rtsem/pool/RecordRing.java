package io.rtsem.pool;

import io.rtsem.bridge.VarHandles;
import io.rtsem.core.RtContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A wait-free single-producer, single-consumer ring of bookkeeping records (the RTSJ {@code WaitFreeWriteQueue}
 * idea): one per producing thread of a {@link ResourcePool}, drained by the pool's bookkeeping thread.
 *
 * <p>Threading: {@link #offer} only on the producer thread; {@link #drain} only on the bookkeeping thread. The
 * producer never waits: when the ring is full the record is counted as dropped and {@code offer} returns
 * {@code false}. Records are columns of primitive arrays allocated up front: offering never allocates.
 *
 * <p>Ordering: the producer writes a record's columns with plain stores and then publishes {@code head} with a
 * release store; the consumer reads {@code head} with an acquire load, so it sees every column of every record below
 * it. The consumer frees entries by a release store of {@code tail}, read by the producer with an acquire load only
 * when its cached copy says the ring is full.
 */
final class RecordRing {
    static final byte ALLOCATE = 1;
    static final byte FREE = 2;
    static final byte TRANSFER = 3;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle DROPPED;
    private static final int CONTEXTS = RtContext.values().length;
    /** Number of counters: one per kind (ALLOCATE, FREE, TRANSFER) and context; see {@link #countIndex}. */
    static final int COUNTS = 3 * CONTEXTS;

    static {
        final MethodHandles.Lookup lookup = MethodHandles.lookup();
        HEAD = VarHandles.field(lookup, "head", long.class);
        TAIL = VarHandles.field(lookup, "tail", long.class);
        DROPPED = VarHandles.field(lookup, "dropped", long.class);
        VarHandles.prime(RecordRing::runEveryCallSite);
    }

    final Thread producer;
    private final int mask;
    private final long[] nanos;
    private final long[] stamps;
    private final Thread[] owners;
    private final int[] slots;
    private final byte[] kinds;
    private final byte[] contexts;
    /**
     * Exact counts per kind and context ({@link #countIndex}), written by the producer only (get + lazySet), read by
     * anyone.
     */
    private final AtomicLongArray counts = new AtomicLongArray(COUNTS);

    private long head; // producer-owned; published with setRelease
    private long cachedTail; // producer-only
    private long tail; // consumer-owned; published with setRelease
    private long dropped; // producer-owned; published with setRelease

    RecordRing(Thread producer, int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two, got " + capacity);
        }
        this.producer = producer;
        this.mask = capacity - 1;
        this.nanos = new long[capacity];
        this.stamps = new long[capacity];
        this.owners = new Thread[capacity];
        this.slots = new int[capacity];
        this.kinds = new byte[capacity];
        this.contexts = new byte[capacity];
    }

    /**
     * Producer only. Wait-free; no allocation, no system call. {@code false} if full (counted as dropped).
     *
     * @param stamp the lease's stamp after the transition this record reports (see {@link Lease}): it grows with
     *              every transition of the slot, so the consumer can order records of different rings.
     * @param owner the holder after the transition (ALLOCATE: the producer; TRANSFER: the new owner; FREE: null).
     */
    boolean offer(byte kind, int slot, long stamp, Thread owner, RtContext context, long timeNanos) {
        final int index = countIndex(kind, context);
        // Single writer (this producer), so get + lazySet is an exact increment without a CAS; it comes before the
        // full check, so dropped records are counted too. lazySet is a release store: it publishes the new count,
        // ordered after everything this thread wrote before it (the lease transition being counted), without the
        // StoreLoad fence of a volatile store on the HARD path. Readers (allocations()/frees() on any thread, with a
        // volatile get; the bookkeeper retiring the ring of an ended thread) may lag: they can read the previous
        // count for a moment after offer returns. That is enough for statistics nobody decides on at once, and a
        // retired ring's counts are final (the thread's end happens-before isAlive() returns false).
        counts.lazySet(index, counts.get(index) + 1);
        final long h = head;
        if (h - cachedTail > mask) {
            cachedTail = (long) TAIL.getAcquire(this);
            if (h - cachedTail > mask) {
                // Single writer: a plain read of 'dropped' and a release store are an exact increment. The release
                // pairs with dropped()'s getAcquire: a reader that sees the new count also sees what this thread
                // wrote before it, in particular the lease transition whose record is dropped here (stamp, and
                // owner on a transfer, written by the caller before offer). The bookkeeper relies on that: seeing a
                // new drop count, it rebuilds its view from the leases and finds this transition (or a later one)
                // there. A pass that reads the previous count (readers may lag) rebuilds on a later pass.
                DROPPED.setRelease(this, dropped + 1);
                return false;
            }
        }
        final int i = (int) (h & mask);
        nanos[i] = timeNanos;
        stamps[i] = stamp;
        owners[i] = owner; // a reference store: no allocation
        slots[i] = slot;
        kinds[i] = kind;
        contexts[i] = (byte) context.ordinal();
        // Release: the columns above are visible before the new head.
        HEAD.setRelease(this, h + 1);
        return true;
    }

    /** Consumer only: hands every published record to {@code sink}, then frees them. @return records drained. */
    int drain(Sink sink) {
        final long h = (long) HEAD.getAcquire(this);
        final long t = tail;
        for (long n = t; n < h; n++) {
            final int i = (int) (n & mask);
            sink.record(kinds[i], slots[i], stamps[i], owners[i], contexts[i], nanos[i]);
            owners[i] = null; // do not keep a dead thread reachable; before the release of tail below
        }
        if (h != t) {
            TAIL.setRelease(this, h);
        }
        return (int) (h - t);
    }

    long dropped() {
        return (long) DROPPED.getAcquire(this);
    }

    long count(byte kind, RtContext context) {
        return counts.get(countIndex(kind, context));
    }

    /** The count at {@code index} ({@code 0 <= index < COUNTS}, see {@link #countIndex}). Any thread. */
    long countAt(int index) {
        return counts.get(index);
    }

    /** Where the count of {@code kind} (ALLOCATE, FREE, TRANSFER) and {@code context} is kept. */
    static int countIndex(byte kind, RtContext context) {
        return kind * CONTEXTS - CONTEXTS + context.ordinal();
    }

    boolean isEmpty() {
        return (long) HEAD.getAcquire(this) == tail;
    }

    /** Receives drained records. */
    interface Sink {
        void record(byte kind, int slot, long stamp, Thread owner, int context, long timeNanos);
    }

    /** Runs every VarHandle call site of this class once (see {@link VarHandles#prime}). */
    private static void runEveryCallSite() {
        final RecordRing ring = new RecordRing(Thread.currentThread(), 1);
        ring.offer(ALLOCATE, 0, 1L, ring.producer, RtContext.NON_RT, 0L);
        ring.offer(FREE, 0, 2L, null, RtContext.NON_RT, 0L); // full: the drop path
        ring.drain((kind, slot, stamp, owner, context, timeNanos) -> {});
        ring.dropped();
        ring.isEmpty();
    }
}
