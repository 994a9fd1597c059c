package io.rtsem.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link HardPathSyscallTest}: a HARD thread acquires and releases a semaphore on which two
 * NON_RT waiters are parked, and a NON_RT thread uses a semaphore nobody waits on. Each measured window is bracketed
 * by an access check of a path that does not exist ({@code /rtsem-window-begin}, {@code /rtsem-window-end}), which
 * marks the window in strace's output.
 *
 * <p>Prints {@code WINDOW <name> <tid> <operations> <voluntary switches before> <after>} per window.
 */
public final class HardReleaseProbe
{
    private HardReleaseProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long windowNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args.length > 0 ? args[0] : "300"));
        final RtSemaphore shared = RtSemaphore.builder().permits(1).maxPermits(10).maxBypass(1, TimeUnit.HOURS)
            .build();
        final Thread[] waiters = new Thread[2];
        for (int i = 0; i < waiters.length; i++)
        {
            waiters[i] = new Thread(() ->
            {
                try
                {
                    shared.tryAcquire(5, 60, TimeUnit.SECONDS); // never satisfiable: stays parked
                }
                catch (final InterruptedException ignored)
                {
                    // end of the run
                }
            }, "parked-" + i);
            waiters[i].setDaemon(true);
            waiters[i].start();
        }
        while (shared.parkedWaiters() != 2)
        {
            Thread.sleep(1);
        }

        final StringBuilder hardReport = new StringBuilder();
        final Thread hard = new Thread(() ->
        {
            try (RtContext.Scope ignored = RtContext.enter(RtContext.HARD))
            {
                warmUp(shared);
                hardReport.append(window("hard-release-with-parked-waiters", shared, windowNanos));
            }
            catch (final Exception ex)
            {
                hardReport.append("ERROR ").append(ex);
            }
        }, "hard");
        hard.start();
        hard.join();
        System.out.println(hardReport);

        final RtSemaphore quiet = new RtSemaphore(1);
        warmUp(quiet);
        System.out.println(window("non-rt-release-without-waiters", quiet, windowNanos));
        System.out.println("PARKED " + shared.parkedWaiters() + " PENDING_WAKE " + shared.hasPendingWake());
        for (final Thread waiter : waiters)
        {
            waiter.interrupt();
        }
    }

    /**
     * Calls the loop many times, so that it is compiled for a normal call (not only on-stack-replaced): otherwise the
     * window's call runs interpreted for a while and the JIT's compile requests (a condition-variable broadcast, so a
     * futex call) land inside the window. The JVM's doing, not the semaphore's: this is what MACHINE-FACTS warns of.
     */
    private static void warmUp(final RtSemaphore sem) throws InterruptedException
    {
        for (int i = 0; i < 300; i++)
        {
            loop(sem, TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static long loop(final RtSemaphore sem, final long nanos) throws InterruptedException
    {
        final long end = System.nanoTime() + nanos;
        long operations = 0;
        while (System.nanoTime() - end < 0)
        {
            for (int i = 0; i < 1_000; i++)
            {
                sem.acquire();
                sem.release();
                if (sem.tryAcquire(1, 1, TimeUnit.MILLISECONDS))
                {
                    sem.release();
                }
            }
            operations += 2_000;
        }
        return operations;
    }

    private static String window(final String name, final RtSemaphore sem, final long nanos)
        throws IOException, InterruptedException
    {
        final String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        voluntarySwitches(); // load and link the measuring code first: class loading takes locks (futex)
        final long before = voluntarySwitches();
        mark("/rtsem-window-begin");
        final long operations = loop(sem, nanos);
        mark("/rtsem-window-end");
        final long after = voluntarySwitches();
        return "WINDOW " + name + " " + tid + " " + operations + " " + before + " " + after;
    }

    /** A system call strace shows with this path: the window's edge in the trace (the file does not exist). */
    private static void mark(final String path)
    {
        Files.isReadable(Path.of(path));
    }

    /** This thread's voluntary context switches, from /proc/thread-self/status. */
    private static long voluntarySwitches() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/thread-self/status")))
        {
            if (line.startsWith("voluntary_ctxt_switches:"))
            {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new IOException("no voluntary_ctxt_switches in /proc/thread-self/status");
    }
}
