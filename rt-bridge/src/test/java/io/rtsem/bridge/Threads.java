package io.rtsem.bridge;

import io.rtsem.core.RtContext;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Test support: code on a fresh thread that declared a context; bounded waits for conditions. Public for the tests of
 * {@code io.rtsem.pool}.
 */
public final class Threads {
    private Threads() {}

    /** Runs {@code body} on a new daemon thread named {@code name} that declared {@code context}. */
    public static <T> FutureTask<T> start(String name, RtContext context, Callable<T> body) {
        final FutureTask<T> task = new FutureTask<>(() -> {
            try (RtContext.Scope ignored = RtContext.enter(context)) {
                return body.call();
            }
        });
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** Runs {@code body} on a new thread of {@code context} and waits for its result (at most 30 s). */
    public static <T> T call(RtContext context, Callable<T> body) throws Exception {
        return start("test-" + context, context, body).get(30, TimeUnit.SECONDS);
    }

    /** Waits until the condition holds; fails after 20 s (a correctness bound, not a latency figure). */
    public static void awaitTrue(String what, BooleanSupplier condition) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after 20 s waiting for: " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Waits for a thread to be parked in a wait without timeout (Thread.State.WAITING). */
    public static void awaitWaiting(Thread thread) {
        awaitTrue(thread.getName() + " parked without timeout", () -> thread.getState() == Thread.State.WAITING);
    }
}
