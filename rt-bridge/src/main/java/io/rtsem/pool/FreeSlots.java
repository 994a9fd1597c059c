package io.rtsem.pool;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which slots of a {@link ResourcePool} are free: one bit per slot in an {@code AtomicLongArray}. The pool's
 * semaphore counts them; this says which. A thread takes a bit only after it has taken a permit, and a bit is set
 * again before its permit is released, so every permit holder finds a bit.
 *
 * <p>Threading: any number of threads; lock-free (CAS per word, retried only under contention). No allocation, no
 * system call.
 */
final class FreeSlots {
    private final AtomicLongArray bits;

    /** All {@code n} slots free. NON_RT, set-up time; allocates the words. */
    FreeSlots(int n) {
        this.bits = new AtomicLongArray((n + 63) >>> 6);
        for (int i = 0; i < n; i++) {
            bits.set(i >>> 6, bits.get(i >>> 6) | (1L << (i & 63)));
        }
    }

    /**
     * Takes a free slot. The caller holds a permit of the pool's semaphore, so at least one bit is set that no other
     * permit holder will take: the scan ends. It starts at a word that depends on the calling thread, to spread
     * threads over the words.
     *
     * @return the slot taken.
     */
    int take() {
        final int words = bits.length();
        int word = (int) ((Thread.currentThread().getId() * 0x9E3779B9L) >>> 16) % words;
        if (word < 0) {
            word += words;
        }
        while (true) {
            final long b = bits.get(word);
            if (b != 0) {
                final long lowest = Long.lowestOneBit(b);
                if (bits.compareAndSet(word, b, b & ~lowest)) {
                    return (word << 6) + Long.numberOfTrailingZeros(lowest);
                }
                continue;
            }
            word = word + 1 == words ? 0 : word + 1;
        }
    }

    /** Marks {@code slot} free again (a CAS on its word); the caller releases its permit after this. */
    void put(int slot) {
        final int word = slot >>> 6;
        final long bit = 1L << (slot & 63);
        long b = bits.get(word);
        while (!bits.compareAndSet(word, b, b | bit)) {
            b = bits.get(word);
        }
    }
}
