package io.rtsem.pool;

import io.rtsem.bridge.CommonOptions;
import io.rtsem.bridge.ModeSwitchCheck;
import io.rtsem.bridge.ModeSwitchPolicy;
import io.rtsem.bridge.OptionChecks;
import io.rtsem.bridge.SemaphoreBridge;
import io.rtsem.bridge.WakeService;
import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A fixed set of resources, allocated from any context and accounted for off the real-time path: the unified
 * RT/non-RT allocation API.
 *
 * <p><b>Threading contract:</b> every method may be called by any number of threads concurrently, in the contexts
 * each documents. Allocation and free are lock-free and, after a thread's first call (or
 * {@link #registerCurrentThread()}), allocation-free and system-call-free from HARD.
 *
 * <p><b>How it works</b> (in full in {@code docs/BRIDGE.md}, "ResourcePool"): an {@link RtSemaphore} counts free
 * resources ({@link #available()} is its count: exact, never above {@link #size()}) and a bitmap ({@link FreeSlots})
 * says which; allocation takes a permit, waiting as the caller's context waits, then a bit. One {@link Lease} per
 * resource, created up front and reused. Every allocate, free and {@link Lease#transferTo transfer} offers a record
 * to the calling thread's wait-free ring ({@link RecordRing}; a full ring drops it, counted in
 * {@link #droppedRecords()}); an ordinary bookkeeping thread drains the rings every
 * {@link Options#bookkeepingInterval} into the view ({@link #holdings()}) and reclaims the leases of terminated
 * owners (the SysV {@code SEM_UNDO} idea: counted in {@link #reclaimed()}, reported in {@link #reclaims()} and a
 * warning, never silently). Counts per context ({@link #allocations}, {@link #frees}) are kept by the producers and
 * stay exact when records drop. HARD frees that a parked NON_RT thread waits for only leave a wake indication: the
 * pool runs its own wake service ({@link WakeService}, the one a {@link SemaphoreBridge} runs).
 *
 * @param <R> the resource type.
 */
public final class ResourcePool<R> implements AutoCloseable {
    private final List<R> resources;
    private final Lease<R>[] leases;
    private final FreeSlots freeSlots;
    private final RtSemaphore free;
    private final ModeSwitchCheck modeSwitch;
    private final WakeService wakeService;
    private final PoolRings rings;
    private final Bookkeeper<R> bookkeeper;
    private volatile boolean closed;

    @SuppressWarnings("unchecked")
    private ResourcePool(Collection<? extends R> items, Options options) {
        this.resources = Collections.unmodifiableList(new ArrayList<>(items));
        final int n = resources.size();
        if (n == 0) {
            throw new IllegalArgumentException("a resource pool needs at least one resource, got an empty collection");
        }
        this.leases = (Lease<R>[]) new Lease<?>[n];
        this.freeSlots = new FreeSlots(n);
        for (int i = 0; i < n; i++) {
            final R resource = resources.get(i);
            Objects.requireNonNull(resource, "resource " + i);
            leases[i] = new Lease<>(this, i, resource);
        }
        this.free = RtSemaphore.builder()
                .permits(n)
                .maxPermits(n)
                .maxBypass(options.maxBypassNanos, TimeUnit.NANOSECONDS)
                .build();
        final String name = options.name() != null ? options.name() : "rtsem-pool-" + System.identityHashCode(this);
        this.modeSwitch = new ModeSwitchCheck(options.modeSwitchPolicy(), "ResourcePool");
        this.wakeService = WakeService.of(free, options, name + "-wake");
        this.rings = new PoolRings(options.ringCapacity);
        this.bookkeeper = new Bookkeeper<>(this, leases, options.bookkeepingIntervalNanos, name + "-books");
    }

    /**
     * A pool of {@code resources} with default {@link Options}. Starts the pool's wake service and bookkeeping
     * thread.
     *
     * <p>NON_RT, set-up time: allocates one lease per resource and starts two daemon threads.
     *
     * @param resources the resources, at least one, none {@code null}; copied.
     * @param <R>       the resource type.
     * @return the pool; close it when done.
     * @throws IllegalArgumentException if empty.
     */
    public static <R> ResourcePool<R> of(Collection<? extends R> resources) {
        return of(resources, options());
    }

    /**
     * A pool of {@code resources} with the given options (copied; later changes to {@code options} have no effect).
     * Starts the pool's wake service and bookkeeping thread.
     *
     * <p>NON_RT, set-up time: allocates the pool, one lease per resource, the pool's semaphore and the options' copy,
     * and starts two daemon threads.
     *
     * @param resources the resources, at least one, none {@code null}; copied.
     * @param options   see {@link #options()}.
     * @param <R>       the resource type.
     * @return the pool; close it when done.
     * @throws IllegalArgumentException if {@code resources} is empty.
     * @throws IllegalStateException if the kernel refused a STRICT {@link Options#wakeScheduling wakeScheduling}
     *                               (naming the request, the system call, errno and the fix); nothing is started.
     * @throws NullPointerException if {@code resources}, {@code options} or one of the resources is {@code null}.
     */
    public static <R> ResourcePool<R> of(Collection<? extends R> resources, Options options) {
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(options, "options");
        final ResourcePool<R> pool = new ResourcePool<>(resources, options.copy());
        pool.wakeService.start();
        pool.bookkeeper.thread.start();
        return pool;
    }

    /**
     * Test hook: a pool whose wake service and bookkeeping thread are never started (nothing reclaims or drains
     * unless the test calls {@link #reclaimDeadOwners(Predicate)}). NON_RT; allocates as {@link #of}, starts nothing.
     */
    static <R> ResourcePool<R> unstarted(Collection<? extends R> resources, Options options) {
        return new ResourcePool<>(resources, options.copy());
    }

    /**
     * New options with the defaults: rings of 1024 records per thread, a bookkeeping pass every 10 ms, allocate
     * from HARD allowed ({@link ModeSwitchPolicy#ALLOW}: it spins, as HARD waits), maxBypass 1 ms, wake service
     * polling, timer slack and scheduling as {@link SemaphoreBridge}'s (20 µs, 1 µs, {@code SCHED_OTHER}).
     *
     * @return options. Any context; allocates.
     */
    public static Options options() {
        return new Options();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Allocation
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Allocates a free resource if there is one now.
     *
     * <p>Any context. Lock-free: one CAS on the free count, one CAS on the bitmap (retried only under contention),
     * volatile stores on the lease, one {@code nanoTime}, one wait-free record. HARD: no allocation and no system
     * call, after this thread's first pool call ({@link #registerCurrentThread()} allocates its ring up front).
     *
     * @return the lease, owned by the calling thread, or {@code null} if none is free.
     * @throws IllegalStateException if the pool is closed.
     */
    public Lease<R> tryAllocate() {
        checkOpen("tryAllocate()");
        return free.tryAcquire() ? claim() : null;
    }

    /**
     * Allocates a resource, waiting at most {@code timeout} as the caller's context waits (HARD spins, SOFT backs
     * off, NON_RT parks; context priority and the starvation bound of the pool's semaphore apply).
     *
     * <p>Any context. Mode-switch checked for HARD callers under {@link Options#modeSwitchPolicy} (default
     * {@link ModeSwitchPolicy#ALLOW}, since a HARD wait only spins). NON_RT allocates one wait node if it parks.
     *
     * @param timeout the longest wait; {@code <= 0} is a single attempt.
     * @param unit    unit of {@code timeout}.
     * @return the lease, or {@code null} if the time ran out.
     * @throws InterruptedException if interrupted before or while waiting.
     * @throws IllegalStateException if the pool is closed, or on a mode switch under {@code THROW}.
     * @throws NullPointerException if {@code unit} is {@code null} (also when a resource is free).
     */
    public Lease<R> allocate(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit"); // before the fast path: a bad call fails whether or not one is free
        checkOpen("allocate(long, TimeUnit)");
        if (free.tryAcquire()) {
            return claim();
        }
        if (timeout <= 0) {
            return null;
        }
        modeSwitch.check("allocate(long, TimeUnit) with a timeout", "; use tryAllocate()");
        return free.tryAcquire(1, timeout, unit) ? claim() : null;
    }

    /**
     * Resources free now; exact (the pool's semaphore count), never above {@link #size()}.
     *
     * <p>Any context; one volatile read.
     *
     * @return free resources.
     */
    public int available() {
        return free.availablePermits();
    }

    /** @return the number of resources. Any context. */
    public int size() {
        return leases.length;
    }

    /** @return the resources, in pool order (unmodifiable). Any context. */
    public List<R> resources() {
        return resources;
    }

    /**
     * Allocates the calling thread's bookkeeping ring now, so that its first allocation does not. Call it at
     * set-up on each HARD thread. Idempotent.
     *
     * <p>NON_RT or set-up phase of a real-time thread: allocates.
     */
    public void registerCurrentThread() {
        rings.mine();
    }

    private Lease<R> claim() {
        final Lease<R> lease = leases[freeSlots.take()]; // we hold a permit: a free slot exists
        final RtContext context = RtContext.current();
        final long now = System.nanoTime();
        final Thread owner = Thread.currentThread();
        final long stamp = lease.hold(owner, context, now);
        rings.mine().offer(RecordRing.ALLOCATE, lease.slot, stamp, owner, context, now);
        return lease;
    }

    /** Called by {@link Lease#close()}. */
    void free(Lease<R> lease) {
        final long s = lease.stamp();
        lease.checkHeldByCaller(s, "close()");
        if (!lease.casStamp(s, s + 1)) { // held generation g -> free generation g + 1
            throw new IllegalStateException("close() raced another close or a reclaim of " + lease.describe());
        }
        rings.mine().offer(RecordRing.FREE, lease.slot, s + 1, null, RtContext.current(), System.nanoTime());
        returnSlot(lease.slot);
    }

    /**
     * Called by {@link Lease#transferTo(Thread)} once the caller is known to hold the lease at stamp {@code s}:
     * one CAS to the next generation, still held ({@code s + 2}), decides it against a racing close, transfer or
     * reclaim. The owner is written after the CAS, so the new owner cannot act on the lease before the transfer has
     * won. Between the CAS and that write a reader sees the new stamp with the old owner (the caller); the
     * bookkeeper's reclaim therefore re-reads the owner after it has seen the owner ended (see
     * {@code reclaimDeadOwners}), which sees this write once the caller has ended.
     */
    void transfer(Lease<R> lease, long s, Thread newOwner) {
        if (!lease.casStamp(s, s + 2)) {
            throw new IllegalStateException("transferTo raced another transfer, a close or a reclaim of "
                    + lease.describe() + ": not transferred");
        }
        lease.owner(newOwner);
        // The allocation's context and time go with the new owner: the record alone makes the view's entry.
        rings.mine().offer(RecordRing.TRANSFER, lease.slot, s + 2, newOwner, lease.context(), lease.sinceNanos());
    }

    /** Called by {@link #free} and by the bookkeeper's reclaim, after the lease's stamp CAS has won. */
    void returnSlot(int slot) {
        freeSlots.put(slot);
        // The bit is set BEFORE the permit is published: whoever takes the permit finds a bit.
        free.release(1);
    }

    private void checkOpen(String call) {
        if (closed) {
            throw new IllegalStateException(call + " on a closed resource pool");
        }
    }

    /** The pool's rings, for the bookkeeper. */
    PoolRings rings() {
        return rings;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The bookkeeping view
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * One held resource, as the bookkeeping view sees it. Immutable: its accessors may be called from any context and
     * allocate nothing ({@link #toString()} allocates).
     */
    public static final class Holding {
        private final Object resource;
        private final String owner;
        private final RtContext context;
        private final long sinceNanos;

        Holding(Object resource, String owner, RtContext context, long sinceNanos) {
            this.resource = resource;
            this.owner = owner;
            this.context = context;
            this.sinceNanos = sinceNanos;
        }

        /** @return the resource. */
        public Object resource() {
            return resource;
        }

        /** @return the owner thread's name (the allocating thread, or the last one the lease was transferred to). */
        public String owner() {
            return owner;
        }

        /** @return the allocating thread's context at allocation (a transfer keeps it). */
        public RtContext context() {
            return context;
        }

        /** @return when it was allocated, a {@code System.nanoTime()} value (a transfer keeps it). */
        public long sinceNanos() {
            return sinceNanos;
        }

        @Override
        public String toString() {
            return resource + " held by '" + owner + "' (" + context + ") for "
                    + (System.nanoTime() - sinceNanos) / 1_000 + " us";
        }
    }

    /**
     * Who holds what since when, as of the last bookkeeping pass (records may lag by one interval).
     *
     * <p>NON_RT; allocates the list.
     *
     * @return the holdings, in pool order.
     */
    public List<Holding> holdings() {
        return bookkeeper.holdings();
    }

    /**
     * The resource held longest, as of the last bookkeeping pass.
     *
     * <p>NON_RT; allocates.
     *
     * @return the holding, or {@code null} if nothing is held.
     */
    public Holding longestCurrentHold() {
        Holding longest = null;
        for (final Holding holding : holdings()) {
            if (longest == null || holding.sinceNanos - longest.sinceNanos < 0) {
                longest = holding;
            }
        }
        return longest;
    }

    /**
     * Allocations made by threads of {@code context}; exact (counted by the producers, independent of drops).
     *
     * <p>Any context; allocates nothing, reads every thread's counters.
     *
     * @param context the context.
     * @return the count.
     */
    public long allocations(RtContext context) {
        return rings.set().count(RecordRing.ALLOCATE, context);
    }

    /**
     * Frees made by threads of {@code context} (reclaims excluded); exact (counted by the producers, independent of
     * drops).
     *
     * <p>Any context; allocates nothing, reads every thread's counters.
     *
     * @param context the context.
     * @return the count.
     */
    public long frees(RtContext context) {
        return rings.set().count(RecordRing.FREE, context);
    }

    /**
     * @return bookkeeping records dropped because a thread's ring was full (all threads, ever). Any context;
     *         allocates nothing.
     */
    public long droppedRecords() {
        return rings.set().dropped();
    }

    /**
     * What the pool's wake service's scheduling request ({@link Options#wakeScheduling}, default
     * {@code SCHED_OTHER}) became, as the kernel reported it when the service started; a refusal under PREFER shows
     * as {@code asRequested() == false} with the reason in its note. See {@code SemaphoreBridge}'s
     * {@code stats().wakeServiceScheduling()}. Any context; one volatile read, no allocation.
     *
     * @return the outcome; {@code null} for a pool whose service was never started.
     */
    public AppliedScheduling wakeServiceScheduling() {
        return wakeService.appliedScheduling();
    }

    /** @return leases reclaimed from terminated owners. Any context. */
    public long reclaimed() {
        return bookkeeper.reclaimed.get();
    }

    /**
     * Reports of reclaimed leases: {@code "resource R (slot n) reclaimed from terminated thread 'T' (CONTEXT), held
     * N us"}. NON_RT; allocates the copy.
     *
     * @return the reports, oldest first.
     */
    public List<String> reclaims() {
        return new ArrayList<>(bookkeeper.reclaimReports);
    }

    /**
     * @return mode switches recorded under {@link ModeSwitchPolicy#RECORD}. Any context; one volatile read, no
     *         allocation.
     */
    public long modeSwitches() {
        return modeSwitch.count();
    }

    /**
     * @return the pool's semaphore of free resources (for introspection; do not acquire or release on it). Any
     *         context; no allocation (a final field).
     */
    public RtSemaphore freeSemaphore() {
        return free;
    }

    /**
     * Runs a bookkeeping pass now and waits for it (drain, reclaim, view). NON_RT; blocks up to a few seconds.
     *
     * @throws IllegalStateException if the pass did not happen within 10 s (bookkeeping stalled or closed).
     */
    public void syncBookkeeping() {
        bookkeeper.sync();
    }

    /**
     * Stops the wake service and the bookkeeping thread after a last pass. Leases keep working (they can still be
     * closed); allocation is refused. Idempotent.
     *
     * <p>NON_RT. Blocks until both threads have stopped (normally within a bookkeeping pass; gives up on each after
     * 5 s).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        bookkeeper.stop();
        wakeService.close();
    }

    /**
     * Diagnostics: size, free resources, dropped records, reclaims, and whether closed.
     *
     * <p>NON_RT; allocates the string.
     *
     * @return the description.
     */
    @Override
    public String toString() {
        return "ResourcePool[size=" + size() + ", available=" + available() + ", dropped=" + droppedRecords()
                + ", reclaimed=" + reclaimed() + (closed ? ", closed]" : "]");
    }

    /**
     * Test hook: stalls (or resumes) the bookkeeping thread, as a slow bookkeeper would. Once it returns with
     * {@code true}, no periodic pass drains a ring until it is called with {@code false} (a pass in progress has
     * finished: the stall is checked under the pass's lock).
     */
    void stallBookkeeping(boolean stalled) {
        bookkeeper.stalled = stalled;
        synchronized (bookkeeper) {
            // waits for a pass in progress; a later periodic pass sees 'stalled' under this lock
        }
        LockSupport.unpark(bookkeeper.thread);
    }

    /**
     * Test hook: one reclaim step of the bookkeeper (the part of a pass that reclaims leases of ended owners), run on
     * the calling thread under the pass's lock, with {@code ended} deciding whether an owner has ended (a pass uses
     * {@code !isAlive()}). NON_RT.
     *
     * @return leases reclaimed by this step.
     */
    int reclaimDeadOwners(Predicate<Thread> ended) {
        return bookkeeper.reclaimNow(ended);
    }

    /**
     * Options of a {@link ResourcePool}; copied by {@link #of(Collection, Options)}: the shared ones of
     * {@link CommonOptions} (policy, default {@link ModeSwitchPolicy#ALLOW}, checked only by a timed
     * {@link ResourcePool#allocate}, which spins from HARD; the wake service's poll interval and timer slack; name) and
     * the pool's own. Not thread-safe; set-up time only, NON_RT. The setters allocate nothing unless they throw; a
     * value out of range is refused when set, with an {@link IllegalArgumentException} naming the option, the value
     * and the range.
     */
    public static final class Options extends CommonOptions<Options> {
        private int ringCapacity = 1024;
        private long bookkeepingIntervalNanos = TimeUnit.MILLISECONDS.toNanos(10);
        private long maxBypassNanos = TimeUnit.MILLISECONDS.toNanos(1);

        private Options() {
            super(ModeSwitchPolicy.ALLOW);
        }

        /**
         * Records each thread's ring holds (default 1024); a power of two. When full, records are dropped.
         *
         * @param capacity a power of two, {@code 1 .. 2^20}.
         * @return these options.
         * @throws IllegalArgumentException if not a power of two or out of range.
         */
        public Options ringCapacity(int capacity) {
            this.ringCapacity = OptionChecks.ringCapacity("ringCapacity", capacity);
            return this;
        }

        /**
         * How often the bookkeeping thread drains the rings and checks for dead owners (default 10 ms; it then uses
         * one short wake-up per interval even when idle).
         *
         * @param time {@code 1 ns .. 1 h}.
         * @param unit unit of {@code time}.
         * @return these options.
         * @throws IllegalArgumentException if out of range.
         */
        public Options bookkeepingInterval(long time, TimeUnit unit) {
            this.bookkeepingIntervalNanos =
                    OptionChecks.nanos("bookkeepingInterval", time, unit, 1L, OptionChecks.MAX_BOOKKEEPING_NANOS);
            return this;
        }

        /**
         * The starvation bound of the pool's semaphore (default 1 ms; see {@link RtSemaphore.Builder#maxBypass}).
         *
         * @param time {@code 1 ns .. 1 day}.
         * @param unit unit of {@code time}.
         * @return these options.
         * @throws IllegalArgumentException if out of range.
         */
        public Options maxBypass(long time, TimeUnit unit) {
            this.maxBypassNanos = OptionChecks.nanos("maxBypass", time, unit, 1L, OptionChecks.MAX_BYPASS_NANOS);
            return this;
        }

        Options copy() {
            final Options copy = new Options();
            copyCommonTo(copy);
            copy.ringCapacity = ringCapacity;
            copy.bookkeepingIntervalNanos = bookkeepingIntervalNanos;
            copy.maxBypassNanos = maxBypassNanos;
            return copy;
        }
    }
}
