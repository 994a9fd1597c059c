package io.rtsem.bridge;

import java.util.concurrent.TimeUnit;

/**
 * A child JVM for the cross-process tests: {@code NamedSemaphoreChild NAME loop N} opens the named semaphore and runs N
 * acquire/release pairs (NON_RT); {@code NamedSemaphoreChild NAME acquire} takes one permit and keeps it. Prints
 * "ready" once the semaphore is open and "done" at the end; exit 0 on success.
 */
public final class NamedSemaphoreChild {
    private NamedSemaphoreChild() {}

    public static void main(String[] args) throws Exception {
        NamedSemaphore.sliceNanos = TimeUnit.HOURS.toNanos(1); // a lost wake is a hang, as in the parent (N8)
        try (NamedSemaphore sem = NamedSemaphore.open(args[0])) {
            System.out.println("ready");
            System.out.flush();
            if (args[1].equals("loop")) {
                long n = Long.parseLong(args[2]);
                for (long i = 0; i < n; i++) {
                    sem.acquire();
                    sem.release();
                }
            } else {
                sem.acquire();
            }
            System.out.println("done");
        }
    }
}
