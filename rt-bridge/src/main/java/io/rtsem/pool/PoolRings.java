package io.rtsem.pool;

/**
 * The bookkeeping rings of one {@link ResourcePool}: each producing thread's own {@link RecordRing} (created on its
 * first pool call) and the current {@link RingSet}, which the bookkeeper drains and the counters read.
 *
 * <p>Threading: {@link #mine()} from any thread (its ring); {@link #set()} from any thread; {@link #retireEnded()}
 * by the bookkeeper only. The set is replaced as a whole, under a lock, when a thread's ring is created and when the
 * bookkeeper retires the rings of ended threads.
 */
final class PoolRings {
    private final int capacity;
    private final ThreadLocal<RecordRing> mine = ThreadLocal.withInitial(this::newRing);
    /** Every thread's ring and the retired rings' counts, replaced as a whole under {@link #lock}. */
    private volatile RingSet set = RingSet.EMPTY;

    private final Object lock = new Object();

    PoolRings(int capacity) {
        this.capacity = capacity;
    }

    /**
     * The calling thread's ring. After its first call no allocation (a {@code ThreadLocal} lookup); the first call
     * allocates the ring and takes the lock to add it to the set (NON_RT, or the set-up phase of a real-time thread).
     */
    RecordRing mine() {
        return mine.get();
    }

    /** Every thread's ring and the retired rings' counts, as of now. Any thread; one volatile read. */
    RingSet set() {
        return set;
    }

    /** The bookkeeper only: drops the drained rings of ended threads from the set, keeping their counts. */
    void retireEnded() {
        synchronized (lock) {
            // One new snapshot: a reader counts a retired ring either in the ring or in the totals, never both.
            set = set.withoutEndedRings();
        }
    }

    private RecordRing newRing() {
        final RecordRing ring = new RecordRing(Thread.currentThread(), capacity);
        synchronized (lock) {
            set = set.with(ring);
        }
        return ring;
    }
}
