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
    BOOKKEEPER("bookkeeper");

    private final String alias;

    Role(String alias) {
        this.alias = alias;
    }

    /** @return the name a scenario file uses for this role. */
    public String alias() {
        return alias;
    }
}
