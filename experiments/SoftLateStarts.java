import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import java.util.concurrent.locks.LockSupport;
import net.openhft.affinity.Affinity;

/**
 * SOFT's duty cycle in `configs/default.yaml`, without rtsem's semaphore or the harness: an RtThread (SOFT, FIFO 40
 * by default) on CPU 0 parks until 250 us before each 1 ms start, then spins. Prints how late starts were. A late
 * start does not shift the schedule (no catch-up), so each stall counts once. See experiments/README.md.
 */
public final class SoftLateStarts {
    public static void main(String[] args) throws InterruptedException {
        final long seconds = Long.parseLong(args[0]);
        final long[] result = new long[3]; // worst, over 1 ms, over 5 ms
        Affinity.setAffinity(0); // the SOFT thread inherits CPU 0
        final Thread t = RtThread.start("soft-loop", RtContext.SOFT, RtThread.NO_PIN, () -> {
            final long period = 1_000_000L;
            long intended = System.nanoTime() + period;
            final long end = intended + seconds * 1_000_000_000L;
            while (intended < end) {
                long now = System.nanoTime();
                while (now < intended) {
                    final long left = intended - now;
                    if (left > 300_000L) {
                        LockSupport.parkNanos(left - 250_000L);
                    } else {
                        Thread.onSpinWait();
                    }
                    now = System.nanoTime();
                }
                final long late = now - intended;
                result[0] = Math.max(result[0], late);
                result[1] += late > 1_000_000L ? 1 : 0;
                result[2] += late > 5_000_000L ? 1 : 0;
                intended += period;
                if (now > intended) {
                    intended = now;
                }
            }
        });
        t.join();
        System.out.printf("worst late start %.1f us, late > 1 ms: %d, late > 5 ms: %d%n", result[0] / 1e3, result[1], result[2]);
    }
}
