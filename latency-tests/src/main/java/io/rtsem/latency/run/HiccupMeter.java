package io.rtsem.latency.run;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The platform's hiccups, jHiccup style: a thread that sleeps for 1 ms over and over and records
 * how much later than asked it woke up (corrected for coordinated omission with the 1 ms
 * expected interval). Anything that stops every thread (GC and safepoint pauses, the hypervisor
 * taking the vCPU, the OS) shows up here, whatever the semaphore does. Runs during the whole run
 * (about 1,000 wake-ups per second, a few percent of one CPU) and is read per phase.
 *
 * <p>The meter thread is an ordinary daemon thread (NON_RT), unpinned: it inherits the harness's
 * mask, so during a run it sleeps on the housekeeping CPUs ({@link CpuGapMeter} covers the
 * real-time CPUs). While subjects alternate ({@link #interleave}), each sample goes to the subject whose slice it
 * started in, so each subject's figure covers its own slices. {@link #take}, {@link #takeBySubject},
 * {@link #interleave} and {@link #close} are called by one harness thread (NON_RT) and allocate.
 */
public final class HiccupMeter implements AutoCloseable {
    /** Sleep asked for per measurement. */
    public static final long RESOLUTION_NANOS = 1_000_000L;

    private final Recorder[] recorders = {
        new Recorder(1, PhaseRecorders.HIGHEST_NANOS, PhaseRecorders.DIGITS),
        new Recorder(1, PhaseRecorders.HIGHEST_NANOS, PhaseRecorders.DIGITS)
    };
    private final Thread thread;
    private volatile Slices slices = Slices.single(0, 0);
    private volatile boolean stop;

    /** Starts the meter thread. NON_RT; allocates. */
    public HiccupMeter() {
        thread = new Thread(this::loop, "rtsem-hiccup");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!stop) {
            long t0 = System.nanoTime();
            try {
                TimeUnit.NANOSECONDS.sleep(RESOLUTION_NANOS);
            } catch (InterruptedException e) {
                return;
            }
            long late = System.nanoTime() - t0 - RESOLUTION_NANOS;
            recorders[slices.subjectAt(t0)].recordValueWithExpectedInterval(
                    Math.max(0, Math.min(late, PhaseRecorders.HIGHEST_NANOS)), RESOLUTION_NANOS);
        }
    }

    /** @return the hiccups since the previous call (or the start), nanoseconds, whichever subject's slice. */
    public Histogram take() {
        Histogram[] by = takeBySubject();
        by[0].add(by[1]);
        return by[0];
    }

    /**
     * @return the hiccups since the previous call (or the start), nanoseconds, per subject (index 0: samples taken
     *         outside interleaving too)
     */
    public Histogram[] takeBySubject() {
        Histogram[] out = new Histogram[recorders.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = PhaseRecorders.newHistogram();
            out[i].add(recorders[i].getIntervalHistogram());
        }
        return out;
    }

    /**
     * From now on, samples go to the subject of the slice they start in.
     *
     * @param s the slices of the interleaved phase, or {@code Slices.single(0, 0)} for none
     */
    public void interleave(Slices s) {
        slices = s;
    }

    /** Stops the meter thread and waits up to a second for it (keeps the caller's interrupt status). */
    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
