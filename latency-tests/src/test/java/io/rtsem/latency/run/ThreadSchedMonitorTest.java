package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;

/** The scheduler monitor parses /proc in place, as a string parse would, and a sample allocates nothing. */
class ThreadSchedMonitorTest {

    private static long stringValue(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return -1;
    }

    @Test
    void inPlaceParsingReadsWhatAStringParseReads() throws Exception {
        String sched = "soft-loop (1234, #threads: 30)\n"
                + "-------------------------------------------------------------------\n"
                + "se.exec_start                                :      31027774.951123\n"
                + "se.nr_migrations                             :                   17\n"
                + "nr_switches                                  :                 5012\n"
                + "nr_voluntary_switches                        :                 4990\n"
                + "nr_involuntary_switches                      :                   22\n";
        byte[] b = sched.getBytes(StandardCharsets.US_ASCII);
        assertEquals(17, ThreadSchedMonitor.valueAfter(b, b.length, "se.nr_migrations".getBytes()));
        assertEquals(22, ThreadSchedMonitor.valueAfter(b, b.length, "nr_involuntary_switches".getBytes()));
        assertEquals(-1, ThreadSchedMonitor.valueAfter(b, b.length, "nonvoluntary_ctxt_switches".getBytes()));
        assertEquals(5012, ThreadSchedMonitor.valueAfter(b, b.length, "nr_switches".getBytes()));
        // a line whose key only starts with the key asked for is not its line
        String longer = "se.nr_migrations_x                           :                   99\n" + sched;
        byte[] l = longer.getBytes(StandardCharsets.US_ASCII);
        assertEquals(17, ThreadSchedMonitor.valueAfter(l, l.length, "se.nr_migrations".getBytes()));
        // the status file's format (no sched file): key, colon, tab, value
        byte[] status = "voluntary_ctxt_switches:\t40\nnonvoluntary_ctxt_switches:\t12\n".getBytes();
        assertEquals(12, ThreadSchedMonitor.valueAfter(status, status.length, "nonvoluntary_ctxt_switches".getBytes()));
        // the real files of this thread, parsed both ways from the same bytes
        Path self = Path.of("/proc/thread-self/sched");
        byte[] real = Files.readAllBytes(self);
        String text = new String(real, StandardCharsets.US_ASCII);
        for (String key : new String[] {"se.nr_migrations", "nr_involuntary_switches"}) {
            assertEquals(
                    stringValue(text, key),
                    ThreadSchedMonitor.valueAfter(real, real.length, key.getBytes()),
                    key + " in " + self);
        }
        byte[] stat = Files.readAllBytes(Path.of("/proc/thread-self/schedstat"));
        long runDelay = ThreadSchedMonitor.secondField(stat, stat.length);
        assertEquals(
                Long.parseLong(
                        new String(stat, StandardCharsets.US_ASCII).trim().split("\\s+")[1]),
                runDelay);
        assertEquals(-1, ThreadSchedMonitor.secondField(new byte[0], 0));
    }

    /**
     * Watching a parked thread (its counters do not move, so no change is recorded): 2,000 samples after warm-up
     * allocate nothing on the sampling thread. Reading the files as strings allocated on every sample.
     */
    @Test
    void aSampleWithNoChangeAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicLong tid = new AtomicLong();
        CountDownLatch started = new CountDownLatch(1);
        Thread parked = new Thread(() -> {
            tid.set(Affinity.getThreadId());
            started.countDown();
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.park();
            }
        });
        parked.setDaemon(true);
        parked.start();
        started.await();
        Thread.sleep(50); // let it reach its park
        try (ThreadSchedMonitor monitor = new ThreadSchedMonitor(0)) {
            monitor.watch("parked", tid.get());
            for (int i = 0; i < 20_000; i++) {
                monitor.sample(); // warm-up: the JIT compiles the read and parse
            }
            int changesBefore = monitor.changes().size();
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 2_000; i++) {
                monitor.sample();
            }
            long after = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            assertEquals(changesBefore, monitor.changes().size(), "the parked thread's counters moved");
            assertEquals(0, after - before, "bytes allocated by 2,000 samples");
            assertTrue(monitor.migrationsVisible());
        } finally {
            parked.interrupt();
        }
    }
}
