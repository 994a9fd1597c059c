package io.rtsem.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The starving line of an {@link RtSemaphore} and its grant protocol (ARCHITECTURE G8, G8a): the order in which
 * waiters that have waited longer than {@code maxBypass} are served. A starving waiter takes a ticket; only the
 * waiter holding the head ticket (the oldest one not yet retired) may take permits while anybody is starving; a
 * ticket is retired when its waiter takes, is granted its permits or leaves, and the head then moves past every
 * retired ticket.
 *
 * <p>A parked starving waiter also <em>publishes</em> its wait node in its ticket's slot, so that a releaser can grant
 * the head its permits without waiting for it to be scheduled (G8a) and without walking the wait queue (which would
 * allocate an iterator on a HARD thread). The grant ({@link #tryGrant}) and the cancel ({@link #cancel}) decide a
 * published node by CAS on its {@link WaitNode#state}: {@code WAITING -> GRANTING -> GRANTED} (or back to
 * {@code WAITING}), or {@code WAITING -> CANCELLED} (G8a.1, G8a.2).
 *
 * <p><b>Threading:</b> every method may be called by any thread, HARD included: each is a bounded number of volatile
 * reads, writes and CASes on fixed arrays and the state word. Nothing allocates, blocks or makes a system call, except
 * {@link #cancel}, which yields (NON_RT or SOFT only) while a granter decides.
 *
 * <p><b>Invariants</b> (G8.1): {@code head <= tail}, {@code tail - head <= CAPACITY}; ticket {@code t} lives in slot
 * {@code t & MASK}, which is reused for ticket {@code t + CAPACITY} only after the head has passed {@code t}.
 */
final class StarvingLine {
    /** Live tickets at most (retired ones the head has not passed yet count). A waiter refused a ticket retries. */
    static final int CAPACITY = 64;

    private static final int MASK = CAPACITY - 1;

    /** No ticket: the waiter is not in the line. */
    static final long NONE = -1L;

    /** A real-time waiter's nap while a granter decides its node (S4): a yield would not let the granter run. */
    static final long GIVE_WAY_NANOS = 1_000L;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle RETIRED = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle NODES = MethodHandles.arrayElementVarHandle(WaitNode[].class);
    private static final VarHandle NODE_STATE;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(StarvingLine.class, "head", long.class);
            TAIL = lookup.findVarHandle(StarvingLine.class, "tail", long.class);
            NODE_STATE = lookup.findVarHandle(WaitNode.class, "state", int.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** {@code retired[t & MASK] == t + 1} once ticket {@code t} is retired (0 initially: never equals a t + 1). */
    private final long[] retired = new long[CAPACITY];
    /** The published node of a parked starving waiter, by ticket slot; a node's {@code ticket} says whose it is. */
    private final WaitNode[] nodes = new WaitNode[CAPACITY];
    /** The oldest ticket not retired yet (or {@code tail} when the line is empty). Moves forward only, by CAS. */
    private volatile long head;
    /** The next ticket to hand out. Moves forward only, by CAS. */
    private volatile long tail;
    /** The semaphore's word: a grant or a head's take moves permits and a starving registration off it. */
    private final StateWord word;

    StarvingLine(StateWord word) {
        this.word = word;
    }

    /**
     * Takes the next ticket.
     *
     * @return the ticket, or {@link #NONE} if {@link #CAPACITY} tickets are live (the caller stays an ordinary
     * waiter and tries again later).
     */
    long enter() {
        long t = tail;
        while (true) {
            // head only grows: a full check against an older head is conservative (G8.1, slot reuse).
            if (t - head >= CAPACITY) {
                return NONE;
            }
            final long witness = (long) TAIL.compareAndExchange(this, t, t + 1);
            if (witness == t) {
                return t;
            }
            t = witness;
        }
    }

    /**
     * @param ticket a live ticket.
     * @return whether it is the head: its holder may take permits while others are starving.
     */
    boolean isHead(long ticket) {
        return head == ticket;
    }

    /**
     * Publishes a parked starving waiter's node for its ticket, so that granters find it (G8a). Called by the node's
     * waiter after it registered as parked and as starving, before it re-reads the word.
     */
    void publish(long ticket, WaitNode node) {
        node.ticket = ticket; // plain: published by the volatile store below
        // Volatile store, then the caller re-reads the word; a releaser CASes the word, then reads this slot: one of
        // the two sees the other (G8a: no grant missed).
        NODES.setVolatile(nodes, (int) (ticket & MASK), node);
    }

    /**
     * @return the head's published node, or {@code null} if the head has none (a spinning waiter, one not parked
     * yet, or an empty line).
     */
    WaitNode headNode() {
        final long h = head;
        final WaitNode node = (WaitNode) NODES.getVolatile(nodes, (int) (h & MASK));
        return node != null && node.ticket == h ? node : null;
    }

    /**
     * Retires {@code ticket} and moves the head past every retired ticket. Called once per ticket: by its waiter when
     * it takes or leaves, or by the granter of its node. The caller reads the state word only after this returns
     * (G8.2).
     *
     * @param ticket the ticket.
     * @param node   its published node, or {@code null}; its slot is cleared so the line keeps no dead thread.
     */
    void retire(long ticket, WaitNode node) {
        final int slot = (int) (ticket & MASK);
        if (node != null) {
            NODES.compareAndSet(nodes, slot, node, (WaitNode) null);
        }
        // Volatile store, then advance() reads head; whoever moves head to this ticket reads this slot after its CAS:
        // one of the two sees the other, so a retired ticket is never left as the head.
        RETIRED.setVolatile(retired, slot, ticket + 1);
        long h = head;
        while ((long) RETIRED.getVolatile(retired, (int) (h & MASK)) == h + 1) {
            final long witness = (long) HEAD.compareAndExchange(this, h, h + 1);
            h = witness == h ? h + 1 : witness;
        }
    }

    /**
     * Enters the line (G8): a ticket, then the starving registration in the word, then (for a registered waiter) the
     * node's publication. The caller re-reads the word before it parks again.
     *
     * @param node the caller's wait node if it is registered for a wake-up, else {@code null}.
     * @return the ticket, or {@link #NONE} if the line is full.
     */
    long enterStarving(WaitNode node) {
        final long ticket = enter();
        if (ticket == NONE) {
            return ticket;
        }
        word.registerStarving();
        if (node != null) {
            publish(ticket, node);
        }
        return ticket;
    }

    /**
     * A starving waiter without a published node (a spinner, or one not parked yet; nobody can grant to it) takes
     * its permits and its starving registration off the word, if it is the head and they are there, and retires its
     * ticket, before the caller re-reads the word to pass the wake on (G8.2).
     *
     * @return {@code true} if it took.
     */
    boolean takeAsHead(long ticket, int permits) {
        long s = word.state();
        while (StateWord.value(s) >= permits && isHead(ticket)) {
            // Volatile CAS: acquire ordering with the release that published these permits.
            final long witness = word.compareAndExchange(s, s - permits - StateWord.STARVING_ONE);
            if (witness == s) {
                retire(ticket, null); // before the caller re-reads the word to pass the wake on (G8.2)
                return true;
            }
            s = witness;
        }
        return false;
    }

    /**
     * Grants {@code node} its permits if it is the head and they are available (G8a): claims the node
     * ({@code WAITING -> GRANTING}), takes the permits and the node's starving registration off the word in one CAS,
     * marks the node {@code GRANTED} (or back to {@code WAITING} if the permits went elsewhere meanwhile) and
     * retires its ticket. The node's parked registration stays until its waiter runs (G8a.4).
     *
     * <p>Any context, HARD included: a bounded number of CASes and volatile stores, no allocation, no system call.
     *
     * @return {@code true} if this call granted.
     */
    boolean tryGrant(WaitNode node) {
        if (node.state != WaitNode.WAITING || !isHead(node.ticket)) {
            return false;
        }
        final int n = node.permits;
        if (StateWord.value(word.state()) < n || !NODE_STATE.compareAndSet(node, WaitNode.WAITING, WaitNode.GRANTING)) {
            return false;
        }
        // GRANTING: only we may take permits for the node, its waiter cannot cancel, and its ticket stays the head
        // (only we or a cancel could retire it). It is registered as starving and parked for as long as it is
        // published and undecided, so the word's starving count is >= 1 here and the subtraction cannot borrow.
        final int decided = word.takeStarving(n) ? WaitNode.GRANTED : WaitNode.WAITING;
        // Volatile store after the word CAS: a waiter that reads GRANTED sees its permits taken for it.
        NODE_STATE.setVolatile(node, decided);
        if (decided != WaitNode.GRANTED) {
            return false;
        }
        retire(node.ticket, node);
        return true;
    }

    /**
     * A waiter about to give up (timeout, interrupt) decides its published node (G8a.2).
     *
     * @return {@code true} if it had been granted: the acquire succeeds after all.
     */
    static boolean grantStands(WaitNode node, long ticket) {
        return node != null && ticket != NONE && !cancel(node);
    }

    /**
     * Decides a published node for its leaving waiter, by CAS (G8a.2). Idempotent. NON_RT or SOFT (it may yield).
     *
     * @return {@code true} if it is cancelled (no grant can come any more), {@code false} if it was granted.
     */
    static boolean cancel(WaitNode node) {
        while (true) {
            final int st = node.state;
            if (st == WaitNode.GRANTED) {
                return false;
            }
            if (st == WaitNode.CANCELLED
                    || (st == WaitNode.WAITING
                            && NODE_STATE.compareAndSet(node, WaitNode.WAITING, WaitNode.CANCELLED))) {
                return true;
            }
            // GRANTING: a granter is between two CASes. Yield rather than spin: the waiter is a NON_RT or SOFT
            // thread, and a granter descheduled on this CPU must be let run to decide. Under a real-time policy a
            // yield lets only equal priorities run, so such a waiter naps instead (S4).
            if (RtThread.currentThreadRealTime()) {
                LockSupport.parkNanos(GIVE_WAY_NANOS);
            } else {
                Thread.yield();
            }
        }
    }

    /** @return live tickets (retired ones the head has not passed yet included); a snapshot for diagnostics. */
    int size() {
        return (int) (tail - head);
    }
}
