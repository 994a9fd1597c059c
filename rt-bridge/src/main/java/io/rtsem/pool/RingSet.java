package io.rtsem.pool;

import io.rtsem.core.RtContext;
import java.util.Arrays;

/**
 * The bookkeeping rings of a {@link ResourcePool} and the counts of the rings already retired, as one immutable
 * snapshot. The pool replaces it as a whole (copy on write) when a thread makes its first pool call and when the
 * bookkeeper retires the rings of threads that have ended. A reader reads one volatile reference, so it counts every
 * ring exactly once: in the ring while it is in the set, in the retired totals once it is not.
 *
 * <p>Threading: immutable once built; built by the pool's writers (serialised by the pool), read by anyone. Reading
 * allocates nothing.
 */
final class RingSet {
    static final RingSet EMPTY = new RingSet(new RecordRing[0], new long[RecordRing.COUNTS], 0L);

    private final RecordRing[] rings;
    private final long[] retired;
    private final long retiredDropped;

    private RingSet(RecordRing[] rings, long[] retired, long retiredDropped) {
        this.rings = rings;
        this.retired = retired;
        this.retiredDropped = retiredDropped;
    }

    int size() {
        return rings.length;
    }

    RecordRing ring(int index) {
        return rings[index];
    }

    /** Records of {@code kind} offered by threads of {@code context}, ever (retired rings included). */
    long count(byte kind, RtContext context) {
        final int index = RecordRing.countIndex(kind, context);
        long total = retired[index];
        for (int i = 0; i < rings.length; i++) {
            total += rings[i].countAt(index);
        }
        return total;
    }

    /** Records dropped because a ring was full, ever (retired rings included). */
    long dropped() {
        long total = retiredDropped;
        for (int i = 0; i < rings.length; i++) {
            total += rings[i].dropped();
        }
        return total;
    }

    /** This set plus {@code ring}. Allocates the new set. */
    RingSet with(RecordRing ring) {
        final RecordRing[] more = Arrays.copyOf(rings, rings.length + 1);
        more[rings.length] = ring;
        return new RingSet(more, retired, retiredDropped);
    }

    /**
     * This set without the rings whose producer has ended and that are drained, their counts added to the retired
     * totals; {@code this} if there is none. The consumer (the bookkeeper) only: a drained ring of an ended thread
     * never changes again (the thread's end happens-before {@code isAlive()} returns {@code false}).
     */
    RingSet withoutEndedRings() {
        final boolean[] ended = new boolean[rings.length]; // decided once per ring: a thread may end meanwhile
        int count = 0;
        for (int i = 0; i < rings.length; i++) {
            ended[i] = isEnded(rings[i]);
            count += ended[i] ? 1 : 0;
        }
        if (count == 0) {
            return this;
        }
        final RecordRing[] kept = new RecordRing[rings.length - count];
        final long[] counts = retired.clone();
        long dropped = retiredDropped;
        int k = 0;
        for (int i = 0; i < rings.length; i++) {
            if (ended[i]) {
                for (int index = 0; index < counts.length; index++) {
                    counts[index] += rings[i].countAt(index);
                }
                dropped += rings[i].dropped();
            } else {
                kept[k++] = rings[i];
            }
        }
        return new RingSet(kept, counts, dropped);
    }

    private static boolean isEnded(RecordRing ring) {
        return !ring.producer.isAlive() && ring.isEmpty();
    }
}
