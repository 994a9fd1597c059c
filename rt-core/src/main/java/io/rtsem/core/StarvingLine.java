package io.rtsem.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The starving line of an {@link RtSemaphore} (ARCHITECTURE G8): the order in which waiters that have waited longer
 * than {@code maxBypass} are served. A starving waiter takes a ticket; only the waiter holding the head ticket (the
 * oldest one not yet retired) may take permits while anybody is starving; a ticket is retired when its waiter takes,
 * is granted its permits or leaves, and the head then moves past every retired ticket.
 *
 * <p>A parked starving waiter also <em>publishes</em> its wait node in its ticket's slot, so that a releaser can grant
 * the head its permits without waiting for it to be scheduled (G8a) and without walking the wait queue (which would
 * allocate an iterator on a HARD thread).
 *
 * <p><b>Threading:</b> every method may be called by any thread, HARD included: each is a bounded number of volatile
 * reads, writes and CASes on fixed arrays. Nothing allocates, blocks or makes a system call.
 *
 * <p><b>Invariants</b> (G8.1): {@code head <= tail}, {@code tail - head <= CAPACITY}; ticket {@code t} lives in slot
 * {@code t & MASK}, which is reused for ticket {@code t + CAPACITY} only after the head has passed {@code t}.
 */
final class StarvingLine
{
    /** Live tickets at most (retired ones the head has not passed yet count). A waiter refused a ticket retries. */
    static final int CAPACITY = 64;
    private static final int MASK = CAPACITY - 1;

    /** No ticket: the waiter is not in the line. */
    static final long NONE = -1L;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle RETIRED = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle NODES = MethodHandles.arrayElementVarHandle(RtSemaphore.WaitNode[].class);

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(StarvingLine.class, "head", long.class);
            TAIL = lookup.findVarHandle(StarvingLine.class, "tail", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** {@code retired[t & MASK] == t + 1} once ticket {@code t} is retired (0 initially: never equals a t + 1). */
    private final long[] retired = new long[CAPACITY];
    /** The published node of a parked starving waiter, by ticket slot; a node's {@code ticket} says whose it is. */
    private final RtSemaphore.WaitNode[] nodes = new RtSemaphore.WaitNode[CAPACITY];
    /** The oldest ticket not retired yet (or {@code tail} when the line is empty). Moves forward only, by CAS. */
    private volatile long head;
    /** The next ticket to hand out. Moves forward only, by CAS. */
    private volatile long tail;

    /**
     * Takes the next ticket.
     *
     * @return the ticket, or {@link #NONE} if {@link #CAPACITY} tickets are live (the caller stays an ordinary
     * waiter and tries again later).
     */
    long enter()
    {
        long t = tail;
        while (true)
        {
            // head only grows: a full check against an older head is conservative (G8.1, slot reuse).
            if (t - head >= CAPACITY)
            {
                return NONE;
            }
            final long witness = (long)TAIL.compareAndExchange(this, t, t + 1);
            if (witness == t)
            {
                return t;
            }
            t = witness;
        }
    }

    /**
     * @param ticket a live ticket.
     * @return whether it is the head: its holder may take permits while others are starving.
     */
    boolean isHead(final long ticket)
    {
        return head == ticket;
    }

    /**
     * Publishes a parked starving waiter's node for its ticket, so that granters find it (G8a). Called by the node's
     * waiter after it registered as parked and as starving, before it re-reads the word.
     */
    void publish(final long ticket, final RtSemaphore.WaitNode node)
    {
        node.ticket = ticket; // plain: published by the volatile store below
        // Volatile store, then the caller re-reads the word; a releaser CASes the word, then reads this slot: one of
        // the two sees the other (G8a: no grant missed).
        NODES.setVolatile(nodes, (int)(ticket & MASK), node);
    }

    /**
     * @return the head's published node, or {@code null} if the head has none (a spinning waiter, one not parked
     * yet, or an empty line).
     */
    RtSemaphore.WaitNode headNode()
    {
        final long h = head;
        final RtSemaphore.WaitNode node = (RtSemaphore.WaitNode)NODES.getVolatile(nodes, (int)(h & MASK));
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
    void retire(final long ticket, final RtSemaphore.WaitNode node)
    {
        final int slot = (int)(ticket & MASK);
        if (node != null)
        {
            NODES.compareAndSet(nodes, slot, node, (RtSemaphore.WaitNode)null);
        }
        // Volatile store, then advance() reads head; whoever moves head to this ticket reads this slot after its CAS:
        // one of the two sees the other, so a retired ticket is never left as the head.
        RETIRED.setVolatile(retired, slot, ticket + 1);
        long h = head;
        while ((long)RETIRED.getVolatile(retired, (int)(h & MASK)) == h + 1)
        {
            final long witness = (long)HEAD.compareAndExchange(this, h, h + 1);
            h = witness == h ? h + 1 : witness;
        }
    }

    /** @return live tickets (retired ones the head has not passed yet included); a snapshot for diagnostics. */
    int size()
    {
        return (int)(tail - head);
    }
}
