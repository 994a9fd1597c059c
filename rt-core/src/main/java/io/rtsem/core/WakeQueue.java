package io.rtsem.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Who gets woken, and how (ARCHITECTURE G3 to G6, G8a, G11): the queue of parked waiters' nodes and its wake walk,
 * the wake indication a HARD release leaves instead of unparking, and the granted list, a Treiber stack of nodes
 * granted their permits by a thread that could not unpark them (HARD), drained by {@link #wakeParkedWaiters()}.
 *
 * <p><b>Threading:</b> {@link #hasPendingWake()}, {@link #grantHeads()}, {@link #wakeLater()} and
 * {@code wakeAfter(HARD)} are HARD-safe (volatile reads, CASes and volatile stores; no allocation, no system call).
 * Everything else unparks or allocates (a queue node or iterator) and is for NON_RT or SOFT callers only.
 */
final class WakeQueue {
    private static final VarHandle WAKE_PENDING;
    private static final VarHandle GRANTED_LIST;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            WAKE_PENDING = lookup.findVarHandle(WakeQueue.class, "wakePending", int.class);
            GRANTED_LIST = lookup.findVarHandle(WakeQueue.class, "grantedList", WaitNode.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final StateWord word;
    private final StarvingLine line;
    private final ConcurrentLinkedQueue<WaitNode> parkedQueue = new ConcurrentLinkedQueue<>();
    /** The wake indication (G3): 1 when a HARD release (or leave) found parked waiters and did not wake them. */
    private volatile int wakePending;
    /**
     * Nodes granted their permits by a thread that could not unpark them (HARD), linked through
     * {@link WaitNode#nextGranted}: a Treiber stack pushed by CAS, emptied at once by {@link #wakeParkedWaiters()}.
     */
    private volatile WaitNode grantedList;

    WakeQueue(StateWord word, StarvingLine line) {
        this.word = word;
        this.line = line;
    }

    /** @return whether a wake indication waits to be acted on. Any context; one volatile read. */
    boolean hasPendingWake() {
        return wakePending != 0;
    }

    /** Wakes parked waiters after a release or a leave, as {@code context} may (G3, G6). */
    void wakeAfter(RtContext context) {
        if (context == RtContext.HARD) {
            wakeLater();
        } else {
            wakeParkedWaiters(); // grants to the starving head first (G8a), then unparks
        }
    }

    /**
     * A HARD release or leave found parked waiters: grants to the starving line's parked head (G8a, its permits leave
     * the word now, not when it is scheduled), then sets the wake indication. No system call: a volatile store
     * (ordered after the caller's CAS on the state word) that the wake service or a parked waiter's fallback
     * consumes; it also unparks what {@link #grantHeads()} granted.
     */
    void wakeLater() {
        grantHeads();
        WAKE_PENDING.setVolatile(this, 1);
    }

    /** After a park (G5): a parked waiter's fallback consumes a HARD release's indication itself. */
    void wakeIfPending() {
        if (wakePending != 0) {
            wakeParkedWaiters();
        }
    }

    /**
     * Clears the wake indication, grants to the line's head while its demand fits (G8a), unparks every granted node,
     * then, only if nobody is starving, walks the queue unparking waiters whose demand fits in the available value.
     * NON_RT or SOFT only: it unparks; may allocate a queue iterator.
     */
    void wakeParkedWaiters() {
        // Clear BEFORE reading the word: a HARD release whose CAS comes after our read of the word sets the
        // indication again after this store (both are volatile, so they are ordered in the synchronization order).
        if (wakePending != 0) {
            WAKE_PENDING.setVolatile(this, 0);
        }
        grantHeads(); // G8a: the starving line's parked head first, as long as its demand fits
        unparkGranted();
        final long s = word.state();
        int budget = StateWord.value(s);
        // While anybody is starving only grants serve (G8): the head is granted above, or it is awake.
        if (budget == 0 || StateWord.parked(s) == 0 || StateWord.starving(s) != 0) {
            return;
        }
        for (final WaitNode node : parkedQueue) {
            // G11: a node that is granted, cancelled or in the starving line is not spent from the budget.
            if (node.state != WaitNode.WAITING || node.ticket != StarvingLine.NONE) {
                continue;
            }
            if (node.permits <= budget) {
                LockSupport.unpark(node.thread);
                budget -= node.permits;
                if (budget == 0) {
                    break;
                }
            }
        }
    }

    /**
     * Queues a wait node and registers it for a wake-up (G4); publishes it in the starving line if the caller is
     * starving already (G8a). NON_RT or SOFT; allocates the node (and a queue link).
     *
     * @throws IllegalStateException if {@link StateWord#MAX_PARKED} waiters are registered already.
     */
    WaitNode register(int permits, long ticket) {
        final WaitNode node = new WaitNode(Thread.currentThread(), permits);
        // G4: the node is queued BEFORE the registration, and the registration comes BEFORE we park; a release
        // after it sees parked > 0, a release before it is in the value we re-read.
        parkedQueue.offer(node);
        try {
            word.registerParked();
        } catch (IllegalStateException ex) {
            parkedQueue.remove(node);
            throw ex;
        }
        if (ticket != StarvingLine.NONE) {
            line.publish(ticket, node); // after both registrations: a granter may take them off the word
        }
        return node;
    }

    /** Takes a leaving or served waiter's node out of the queue (G11: before it passes the wake on). */
    void remove(WaitNode node) {
        parkedQueue.remove(node);
    }

    /**
     * Grants the head of the starving line, and each next head, while the demand of each fits (G8a). A granted node
     * goes onto the granted list; the caller wakes it ({@link #wakeParkedWaiters()}, or the wake indication from
     * HARD). Any context, HARD included: CASes and volatile stores, no allocation, no system call. Ends because each
     * round that goes on took permits off the word.
     */
    void grantHeads() {
        while (true) {
            final WaitNode node = line.headNode();
            if (node == null || !line.tryGrant(node)) {
                return;
            }
            WaitNode top;
            do {
                top = grantedList;
                node.nextGranted = top; // plain: published by the CAS below
            } while (!GRANTED_LIST.compareAndSet(this, top, node));
        }
    }

    /** Unparks every node on the granted list (NON_RT or SOFT: system calls). */
    private void unparkGranted() {
        if (grantedList == null) {
            return;
        }
        // Volatile getAndSet: we own the whole stack from here; each node's nextGranted was written before its push.
        WaitNode node = (WaitNode) GRANTED_LIST.getAndSet(this, (WaitNode) null);
        while (node != null) {
            LockSupport.unpark(node.thread);
            node = node.nextGranted;
        }
    }
}
