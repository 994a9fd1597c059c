package io.rtsem.latency.config;

/**
 * What a scenario thread does with the semaphore. The alias is the string a scenario file uses.
 */
public enum Role {
    /**
     * A loop that acquires its permits on a fixed schedule (or back to back), holds them for the
     * hold time, then releases them itself ({@code releases: self}) or leaves them to be consumed
     * ({@code releases: none}, the permits come from a {@link #RELEASER}).
     */
    ACQUIRER("acquirer"),
    /**
     * A loop that releases permits on a fixed schedule: the producer side of a signal. It returns
     * only permits that acquirers with {@code releases: none} consumed (like an acknowledgement
     * returning an order slot), so the count never exceeds {@code max-permits}; at a tick with
     * nothing to return it waits (as its context waits) until there is something.
     */
    RELEASER("releaser"),
    /**
     * An ordinary (NON_RT) thread that takes permits through the rt-bridge on a fixed schedule,
     * does allocating bookkeeping work while holding them, and gives them back.
     */
    BOOKKEEPER("bookkeeper"),
    /**
     * A thread that never touches the semaphore: each period ({@code rate-hz}) it runs busy for {@code busy}, then
     * sleeps until the next period. Under a real-time policy below the waiters' ({@code scheduling: fifo:30} beside a
     * SOFT waiter at FIFO 40) it is the "medium-priority" thread of the classic priority inversion: it keeps a
     * lower-priority holder off their shared CPU while a higher-priority thread waits for that holder. It has no waits
     * to report and no budget; the same thread, under the same policy, runs in rtsem's slices and the peer's.
     */
    HOG("hog");

    private final String alias;

    Role(String alias) {
        this.alias = alias;
    }

    /** @return the name a scenario file uses for this role. */
    public String alias() {
        return alias;
    }
}
