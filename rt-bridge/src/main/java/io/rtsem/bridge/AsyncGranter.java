package io.rtsem.bridge;

import io.rtsem.core.RtSemaphore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The ordinary daemon thread that serves queued async requests one at a time in queue order (requests whose permits
 * were free when asked were granted by the caller and never queued): it waits for the head request's permits as a
 * NON_RT waiter of the semaphore (so context priority and the starvation bound of rt-core apply to it, and a HARD
 * release reaches it through the bridge's wake service), then claims the request and delivers.
 *
 * <p><b>Cancelling the request being served.</b> The grant thread publishes {@code serving = request} and then
 * re-reads the request's state; a canceller CASes the state and then reads {@code serving}. Both are volatile, so
 * at least one sees the other: either the grant thread does not start waiting, or the canceller sees it waiting.
 * The canceller then claims {@code serving} (CAS request -> null) and interrupts the grant thread; the grant thread,
 * when its wait ends, tries the same CAS and, if it lost, absorbs exactly that interrupt before going on. So only
 * claimed interrupts are ever delivered, and none leaks into user callbacks run by this thread.
 *
 * <p>Idle (empty queue): parked with no timeout, no CPU; a submitter unparks it (Dekker on {@code idle} vs the
 * queue, as in {@link WakeService}).
 *
 * <p><b>Interrupts.</b> The only interrupts that mean something to this thread are the claimed ones above. Any other
 * (a dependent stage run on this thread that leaves its interrupt flag set, or a caller of
 * {@link SemaphoreBridge#grantThread()}{@code .interrupt()}) is stray: it is cleared before the idle park (a set
 * flag would make {@code park()} return at once, a busy loop) and, while a request is served, ends the wait, which
 * is then retried. It never stops the thread; only {@link #close()} does.
 */
final class AsyncGranter implements Runnable {
    private static final VarHandle SERVING = VarHandles.field(MethodHandles.lookup(), "serving", AsyncRequest.class);

    private final SemaphoreBridge bridge;
    private final RtSemaphore semaphore;
    private final ConcurrentLinkedQueue<AsyncRequest> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread thread;
    private volatile AsyncRequest serving;
    private volatile boolean idle;
    private volatile boolean closed;

    AsyncGranter(SemaphoreBridge bridge, RtSemaphore semaphore, String name) {
        this.bridge = bridge;
        this.semaphore = semaphore;
        this.thread = DaemonThreads.create(this, name);
    }

    void start() {
        thread.start();
    }

    /** Queues a request (allocates one queue node) and unparks the grant thread if it is idle. */
    void submit(AsyncRequest request) {
        pending.incrementAndGet();
        queue.offer(request);
        // Volatile read of idle AFTER the queue's volatile publication of the node (Dekker with run()).
        if (idle) {
            LockSupport.unpark(thread);
        }
        // Volatile read of closed AFTER the offer: a request queued after the grant thread drained the queue on
        // close is cancelled here (the state CAS decides between this and the drain). It may stay in the queue of
        // the ended thread; the cancellation takes it out of the pending count (so does the drain; only once).
        if (closed && request.cancel()) {
            if (request.future != null) {
                request.future.completeExceptionally(new CancellationException("bridge closed before grant"));
            } else {
                bridge.stats().abandonedRuns.getAndIncrement();
            }
        }
    }

    /** Called by a canceller that won the request's state CAS. */
    void cancelled(AsyncRequest request) {
        leavePending(request); // decided: no longer pending, even while it waits in the queue to be skipped
        if (SERVING.compareAndSet(this, request, null)) {
            thread.interrupt();
        }
    }

    int pending() {
        return pending.get();
    }

    @Override
    public void run() {
        while (!closed) {
            final AsyncRequest request = queue.peek();
            if (request == null) {
                idle = true;
                if (queue.peek() == null && !closed) {
                    // A stray interrupt (see the class comment) would make park() return at once, for ever.
                    Thread.interrupted();
                    LockSupport.park(this);
                }
                idle = false;
                continue;
            }
            if (request.state() != AsyncRequest.PENDING) {
                dequeue(); // cancelled while queued
                continue;
            }
            serving = request;
            boolean acquired = false;
            boolean interrupted = false;
            // Re-read state and closed AFTER publishing serving (see the class comment).
            if (request.state() == AsyncRequest.PENDING && !closed) {
                try {
                    semaphore.acquire(request.permits);
                    acquired = true;
                } catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
            if (!SERVING.compareAndSet(this, request, null) && !interrupted) {
                // A canceller or close() claimed this request and interrupts us: absorb exactly that interrupt.
                while (!Thread.interrupted()) {
                    Thread.onSpinWait();
                }
            }
            if (acquired) {
                dequeue();
                if (request.markGranted()) {
                    bridge.deliver(request);
                } else {
                    semaphore.release(request.permits); // the cancel won the race: give the permits back
                    bridge.stats().grantRacesLost.getAndIncrement();
                }
            } else if (request.state() != AsyncRequest.PENDING) {
                dequeue();
            }
            // else: a stray interrupt; serve the same request again
        }
        drainOnClose();
    }

    private void dequeue() {
        leavePending(queue.poll()); // single consumer: removes the head we looked at
    }

    private void leavePending(AsyncRequest request) {
        if (request.leavePending()) {
            pending.decrementAndGet();
        }
    }

    private void drainOnClose() {
        AsyncRequest request;
        while ((request = queue.poll()) != null) {
            leavePending(request);
            if (request.cancel()) {
                if (request.future != null) {
                    request.future.completeExceptionally(new CancellationException("bridge closed before grant"));
                } else {
                    bridge.stats().abandonedRuns.getAndIncrement();
                }
            }
        }
    }

    /**
     * Stops the grant thread; pending requests are cancelled (futures fail, queued work never runs). NON_RT. Waits for
     * the thread to end (at most 5 s, {@link DaemonThreads#awaitEnd}), except on the grant thread itself, which ends
     * after the stage that called it.
     */
    void close() {
        closed = true;
        // Volatile write of closed BEFORE reading serving; the grant thread re-reads closed after publishing it.
        final AsyncRequest current = serving;
        if (current != null && SERVING.compareAndSet(this, current, null)) {
            thread.interrupt();
        }
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            // Called from a dependent stage this thread runs: it cannot wait for itself. It stops (cancelling what is
            // still queued) once the stage returns, since it re-reads 'closed' before serving anything else.
            return;
        }
        DaemonThreads.awaitEnd(thread);
    }

    Thread thread() {
        return thread;
    }
}
