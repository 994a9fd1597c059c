package io.rtsem.pool;

import io.rtsem.bridge.VarHandles;
import io.rtsem.core.RtContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One resource of a {@link ResourcePool}, held by one thread (its <em>owner</em>) until {@link #close()}.
 *
 * <p>Lease objects are created with the pool, one per resource, and reused: {@code tryAllocate} hands out the same
 * object every time that resource is allocated, which is how allocation stays allocation-free. So keep a lease only
 * until you close it. Misuse is refused with an {@link IllegalStateException} and leaves the pool's count exact:
 * closing twice, using a closed or reclaimed lease, or closing (or transferring) it from a thread that does not own
 * it.
 *
 * <p>Threading: {@link #resource()} and the accessors from any thread; {@link #close()} and
 * {@link #transferTo(Thread)} from the owner only.
 *
 * @param <R> the resource type.
 */
public final class Lease<R> implements AutoCloseable {
    private static final VarHandle STAMP = VarHandles.field(MethodHandles.lookup(), "stamp", long.class);

    static {
        // The CAS is the one call site of STAMP a HARD close, transfer or reclaim runs.
        VarHandles.prime(() -> new Lease<>(null, 0, null).casStamp(0L, 0L));
    }

    private final ResourcePool<R> pool;
    final int slot;
    private final R resource;
    /**
     * {@code generation << 1 | held}. Allocation writes owner, since and context, then publishes the stamp with a
     * volatile store; readers that see {@code held} through a volatile read of the stamp also see those fields.
     * The stamp only grows: allocation sets the held bit, free and reclaim add one (next generation, free), a
     * transfer adds two (next generation, still held). The bookkeeping records carry it, so that the bookkeeper can
     * order records of different threads per slot.
     */
    private volatile long stamp;

    private volatile Thread owner;
    private volatile long sinceNanos;
    private volatile RtContext context;

    Lease(ResourcePool<R> pool, int slot, R resource) {
        this.pool = pool;
        this.slot = slot;
        this.resource = resource;
    }

    /**
     * The leased resource.
     *
     * <p>Any context; two volatile reads, no allocation (unless it throws).
     *
     * @return the resource.
     * @throws IllegalStateException if the lease is closed or was reclaimed (use after close).
     */
    public R resource() {
        if ((stamp & 1L) == 0) {
            throw new IllegalStateException("use after close: lease of " + describe() + " is not held");
        }
        return resource;
    }

    /**
     * Frees the resource: it becomes available to {@code tryAllocate}/{@code allocate} at once.
     *
     * <p>The owner thread only. Any context, HARD included: a few CASes, one {@code nanoTime}, one record offered
     * to this thread's wait-free bookkeeping ring. No allocation after this thread's first pool call (see
     * {@link ResourcePool#registerCurrentThread()}): a thread that received the lease by a {@link #transferTo
     * transfer} and never called the pool itself has no ring yet, and allocates it here (and takes the pool's
     * ring-set lock to register it). The free ends with a release of the pool's {@link io.rtsem.core.RtSemaphore}:
     * from HARD no system call and no allocation; from NON_RT or SOFT while threads are parked waiting for a
     * resource, it unparks them (a system call) and may allocate rt-core's queue iterator.
     *
     * @throws IllegalStateException on a double close, a close after reclaim, or a close from a thread that does not
     *                               own the lease (foreign lease); the pool is unchanged then.
     */
    @Override
    public void close() {
        pool.free(this);
    }

    /**
     * Hands the lease to another thread, which becomes its owner (may close it; its death reclaims it). The transfer
     * is one CAS that moves the lease to its next generation, so of a transfer and a racing close, transfer or
     * reclaim exactly one wins; the new owner can act on the lease only once the transfer has won. The bookkeeping
     * view then shows the new owner, with the allocation's context and time.
     *
     * <p>The owner thread only. Any context: one CAS, volatile stores, one record offered to this thread's wait-free
     * bookkeeping ring; no allocation (after this thread's first pool call, see
     * {@link ResourcePool#registerCurrentThread()}; a thread that received the lease by a transfer has none yet),
     * no system call (unless it throws).
     *
     * @param newOwner the new owner: a started thread that has not terminated, or the caller itself.
     * @throws IllegalArgumentException if {@code newOwner} is {@code null}, not started yet or terminated (the message
     *                                  names the thread and its state); nothing changes then.
     * @throws IllegalStateException if the lease is not held or the caller is not its owner, or if a close, transfer
     *                               or reclaim won a race against this transfer; nothing changes then.
     */
    public void transferTo(Thread newOwner) {
        final Thread caller = Thread.currentThread();
        if (newOwner == null) {
            throw new IllegalArgumentException("transferTo(null) of " + describe() + ": a new owner is required");
        }
        if (newOwner != caller) {
            // A thread not started has no run to close the lease in; a terminated one would only get it reclaimed.
            final Thread.State state = newOwner.getState();
            if (state == Thread.State.NEW || state == Thread.State.TERMINATED) {
                throw new IllegalArgumentException(
                        "transferTo thread '" + newOwner.getName() + "' (id " + newOwner.getId()
                                + "), which is " + state + (state == Thread.State.NEW ? " (not started)" : " (dead)")
                                + ": " + describe() + " stays with '" + caller.getName() + "'");
            }
        }
        final long s = stamp;
        checkHeldByCaller(s, "transferTo");
        pool.transfer(this, s, newOwner);
    }

    /** @return {@code true} while allocated. Any context; one volatile read, no allocation. */
    public boolean isHeld() {
        return (stamp & 1L) != 0;
    }

    /**
     * @return the owner while held (the allocating thread or the last one it was transferred to), else the last
     *         owner ({@code null} before the first allocation). Any context; one volatile read, no allocation.
     */
    public Thread owner() {
        return owner;
    }

    /**
     * @return when the current (or last) allocation happened, a {@code System.nanoTime()} value (a transfer keeps
     *         it). Any context; one volatile read, no allocation.
     */
    public long sinceNanos() {
        return sinceNanos;
    }

    /**
     * @return the allocating thread's context for the current (or last) allocation (a transfer keeps it). Any
     *         context; one volatile read, no allocation.
     */
    public RtContext context() {
        return context;
    }

    /**
     * Diagnostics: the resource, its slot and its owner's name while held.
     *
     * <p>NON_RT; allocates the string (and calls the resource's {@code toString()}).
     *
     * @return the description.
     */
    @Override
    public String toString() {
        return "Lease[" + describe() + (isHeld() ? ", held by '" + owner.getName() + "']" : ", free]");
    }

    // --- package-private protocol, used by ResourcePool -----------------------------------------------------------

    long stamp() {
        return stamp;
    }

    boolean casStamp(long expected, long next) {
        return STAMP.compareAndSet(this, expected, next);
    }

    /** The owner after a transfer; written by {@link ResourcePool#transfer} after its CAS has won. */
    void owner(Thread newOwner) {
        owner = newOwner;
    }

    /**
     * Marks the lease held; called by the thread that won the slot's bit, before it returns the lease.
     *
     * @return the new stamp (the generation of this allocation, held bit set), for the bookkeeping record.
     */
    long hold(Thread newOwner, RtContext ctx, long now) {
        owner = newOwner;
        sinceNanos = now;
        context = ctx;
        final long s = stamp | 1L;
        // Volatile store after the fields: a reader seeing 'held' sees this owner, time and context.
        stamp = s;
        return s;
    }

    void checkHeldByCaller(long s, String call) {
        if ((s & 1L) == 0) {
            throw new IllegalStateException(call + " of a lease that is not held (double close, or use after close"
                    + " or reclaim): " + describe());
        }
        final Thread caller = Thread.currentThread();
        final Thread o = owner;
        if (o != caller) {
            throw new IllegalStateException(call + " of a foreign lease: " + describe() + " is owned by thread '"
                    + (o == null ? "?" : o.getName()) + "', not by '" + caller.getName() + "' (use transferTo)");
        }
    }

    R resourceUnchecked() {
        return resource;
    }

    String describe() {
        return "resource " + resource + " (slot " + slot + ")";
    }
}
