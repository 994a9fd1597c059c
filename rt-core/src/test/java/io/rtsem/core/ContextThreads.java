package io.rtsem.core;

import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** Test support: runs code on a fresh thread that declared a context, and waits for conditions with a bound. */
final class ContextThreads {
    private ContextThreads() {}

    /** A running task on its own thread. */
    static final class Running<T> {
        final Thread thread;
        final FutureTask<T> task;

        Running(Thread thread, FutureTask<T> task) {
            this.thread = thread;
            this.task = task;
        }

        T get() throws Exception {
            return task.get(30, TimeUnit.SECONDS);
        }
    }

    static <T> Running<T> start(RtContext context, Callable<T> body) {
        final FutureTask<T> task = new FutureTask<>(() -> {
            try (RtContext.Scope ignored = RtContext.enter(context)) {
                return body.call();
            }
        });
        final Thread thread = new Thread(task, "test-" + context);
        thread.setDaemon(true);
        thread.start();
        return new Running<>(thread, task);
    }

    static <T> T call(RtContext context, Callable<T> body) throws Exception {
        return start(context, body).get();
    }

    /** Waits until the condition holds; fails the test after 20 s. */
    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** The calling thread's voluntary context switches so far (each park that really sleeps is one), from /proc. */
    static long voluntarySwitches() throws java.io.IOException {
        for (final String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new java.io.IOException("no voluntary_ctxt_switches in /proc/thread-self/status");
    }

    /**
     * Waits until {@code waiter} is really parked on {@code sem}: registered AND in a timed park. Registered alone is
     * not enough: a waiter that registered but has not parked yet re-reads the word and may take a permit directly.
     */
    static void awaitParked(RtSemaphore sem, Running<?> waiter) {
        awaitTrue(
                "waiter parked",
                () -> sem.parkedWaiters() >= 1 && waiter.thread.getState() == Thread.State.TIMED_WAITING);
    }
}
