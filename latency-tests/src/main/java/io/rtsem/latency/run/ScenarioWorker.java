package io.rtsem.latency.run;

import io.rtsem.core.RtContext;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.ThreadSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The body of one scenario thread: a loop on a fixed schedule (or back to back) that acquires,
 * holds and releases permits (acquirer, bookkeeper) or only releases them (releaser), and
 * records what it measured.
 *
 * <p>Runs in the thread's configured context. After {@link #run} has read its native thread id
 * (one {@code readlink}, before warm-up) the loop allocates nothing (a bookkeeper allocates
 * {@code allocate-bytes} per iteration on purpose). Between iterations a HARD thread spins and
 * makes no system call of its own besides the clock read; SOFT and NON_RT threads park
 * ({@code LockSupport.parkNanos}, a system call) until 250 us before the next start, then a SOFT
 * thread yields ({@code sched_yield}) and spins, a NON_RT one spins.
 *
 * <p>Warm-up and measurement run the same code: recorders, worst-wait tables and the over-budget
 * threshold are chosen by an index computed without a branch, so the JIT never sees a path first
 * taken at the start of measurement (which would throw the compiled loop away mid-run).
 */
public final class ScenarioWorker implements Runnable {
    /** How many of its worst wait episodes each thread keeps (one stall makes many waits: one episode, one slot). */
    public static final int WORST = 64;
    /**
     * How long after the end a fixed-rate loop that fell behind its schedule keeps going, to run
     * the iterations whose intended start was inside the measured window. Iterations it cannot
     * start even then are missing from the histograms (the iteration counts show them).
     */
    public static final long OVERRUN_NANOS = 1_000_000_000L;

    private static final int PACE_SPIN = 0;
    private static final int PACE_YIELD = 1;
    private static final int PACE_PARK = 2;

    private final ThreadSpec spec;
    private final PermitGate gate;
    private final ReleaseStamp stamp;
    private final AtomicLong outstanding;
    private final PhaseRecorders[] recorders;
    private final WorstWaits[] worst;
    private final OverBudgetLog overBudget;
    private final long startNanoTime;
    private final long measureStartNanoTime;
    private final long stopNanoTime;
    private final long stallNanos;
    private final int paceMode;
    private final int slotWait;
    private final int slotService;
    private final int slotHold;
    private final int slotHandoff;
    private long stallAtNanoTime;
    private long iterations;
    private byte[] sink;

    private volatile boolean abort;
    private volatile long nativeTid = -1;
    private volatile Throwable failure;

    /**
     * Prepares a worker. Harness thread (NON_RT); allocates the worst-wait tables.
     *
     * @param spec                 the thread's configuration
     * @param gate                 how it reaches the semaphore under test
     * @param stamp                the shared release timestamp of this subject
     * @param outstanding          permits consumed and not given back (acquirers with
     *                             {@code releases: none} add, releasers take away and release only
     *                             these, so a releaser never pushes the count above its maximum)
     * @param warmup               recorders for the warm-up (discarded)
     * @param measured             recorders for the measured phase
     * @param overBudget           where waits over budget go (measured phase only)
     * @param startNanoTime        first intended start
     * @param measureStartNanoTime first intended start that counts
     * @param stopNanoTime         no iteration is intended at or after this time (a late loop may
     *                             run up to {@link #OVERRUN_NANOS} past it)
     * @param stallAtNanoTime      when to inject the stall, or {@link Long#MAX_VALUE} for never
     * @param stallNanos           how long the stall lasts (0: none)
     */
    public ScenarioWorker(ThreadSpec spec, PermitGate gate, ReleaseStamp stamp, AtomicLong outstanding,
                          PhaseRecorders warmup,
                          PhaseRecorders measured, OverBudgetLog overBudget, long startNanoTime,
                          long measureStartNanoTime, long stopNanoTime, long stallAtNanoTime, long stallNanos) {
        this.spec = spec;
        this.gate = gate;
        this.stamp = stamp;
        this.outstanding = outstanding;
        this.recorders = new PhaseRecorders[] {warmup, measured};
        this.worst = new WorstWaits[] {new WorstWaits(WORST), new WorstWaits(WORST)};
        this.overBudget = overBudget;
        this.startNanoTime = startNanoTime;
        this.measureStartNanoTime = measureStartNanoTime;
        this.stopNanoTime = stopNanoTime;
        this.stallAtNanoTime = stallAtNanoTime;
        this.stallNanos = stallNanos;
        RtContext c = spec.context();
        this.paceMode = c == RtContext.HARD ? PACE_SPIN : c == RtContext.SOFT ? PACE_YIELD : PACE_PARK;
        this.slotWait = PhaseRecorders.slot(c, Metric.WAIT);
        this.slotService = PhaseRecorders.slot(c, Metric.SERVICE);
        this.slotHold = PhaseRecorders.slot(c, Metric.HOLD);
        this.slotHandoff = PhaseRecorders.slot(c, Metric.HANDOFF);
    }

    /** Runs the loop until the stop time, {@link #abort} or an interrupt. On the scenario thread. */
    @Override
    public void run() {
        nativeTid = readNativeTid();
        try {
            if (spec.role() == Role.RELEASER) {
                releaseLoop();
            } else {
                acquireLoop();
            }
        } catch (InterruptedException stopped) {
            // the harness stops threads still blocked after the end of the run
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void acquireLoop() throws InterruptedException {
        final long period = spec.periodNanos();
        final int permits = spec.permits();
        final long hold = spec.holdNanos();
        final boolean releasesOwn = spec.releasesOwn();
        final boolean bookkeeper = spec.role() == Role.BOOKKEEPER;
        long intended = startNanoTime;
        while (!abort) {
            long tCall;
            if (period > 0) {
                if (intended >= stopNanoTime) {
                    break;
                }
                tCall = pace(intended);
                if (tCall >= stopNanoTime + OVERRUN_NANOS) {
                    break;
                }
            } else {
                tCall = System.nanoTime();
                intended = tCall;
                if (tCall >= stopNanoTime) {
                    break;
                }
            }
            gate.acquire(permits);
            long tAcq = System.nanoTime();
            long lastRelease = stamp.getAcquire();
            if (bookkeeper) {
                bookkeeping();
            }
            long tRel = hold > 0 ? spinUntil(tAcq + hold) : tAcq;
            if (tRel >= stallAtNanoTime) {
                tRel = stall(tRel);
            }
            if (releasesOwn) {
                stamp.setRelease(tRel);
                gate.release(permits);
            } else {
                outstanding.getAndAdd(permits);
            }
            // 1 for iterations intended from the measurement start on, else 0: an index, not a branch
            // (see class doc); by intended time, so a warm-up backlog stays in the warm-up
            int phase = (int) ((measureStartNanoTime - intended - 1) >>> 63);
            PhaseRecorders r = recorders[phase];
            long wait = tAcq - intended;
            long service = tAcq - tCall;
            r.record(slotWait, wait);
            r.record(slotService, service);
            r.record(slotHold, tRel - tAcq);
            // a release this wait waited for: after the call, and not after the acquisition (with several permits
            // a later release by another thread can be read here; its negative "hand-off" is no sample)
            if (lastRelease > tCall && lastRelease <= tAcq) {
                r.record(slotHandoff, tAcq - lastRelease);
            }
            worst[phase].offer(wait, intended, tAcq, service);
            overBudget.offer(wait * phase, intended);
            iterations++;
            intended += period;
        }
    }

    private void releaseLoop() {
        final long period = spec.periodNanos();
        final int permits = spec.permits();
        long intended = startNanoTime;
        while (!abort && intended < stopNanoTime) {
            long now = pace(intended);
            if (now >= stopNanoTime + OVERRUN_NANOS) {
                break;
            }
            if (now >= stallAtNanoTime) {
                now = stall(now);
            }
            // return only permits some acquirer consumed (an acknowledgement comes after its order):
            // wait, the way the context waits, until there is something to return
            if (!takeOutstanding(permits)) {
                break;
            }
            stamp.setRelease(System.nanoTime());
            gate.release(permits);
            iterations++;
            intended += period;
        }
    }

    /** Takes {@code permits} from the outstanding count, waiting for them; false if stopped meanwhile. */
    private boolean takeOutstanding(int permits) {
        int spins = 0;
        while (true) {
            long o = outstanding.get();
            if (o >= permits) {
                if (outstanding.compareAndSet(o, o - permits)) {
                    return true;
                }
                continue;
            }
            if ((++spins & 0xFF) == 0 && (abort || System.nanoTime() >= stopNanoTime + OVERRUN_NANOS)) {
                return false;
            }
            if (paceMode == PACE_PARK) {
                LockSupport.parkNanos(20_000);
            } else if (paceMode == PACE_YIELD && (spins & 0x3F) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** Waits until {@code intended} the way the thread's context would; returns the time reached. */
    private long pace(long intended) {
        long now = System.nanoTime();
        while (now < intended) {
            long left = intended - now;
            if (paceMode != PACE_SPIN && left > 300_000) {
                LockSupport.parkNanos(left - 250_000); // timer slack and wake-up: wake early, spin the rest
            } else if (paceMode == PACE_YIELD && left > 50_000) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
            now = System.nanoTime();
        }
        return now;
    }

    private static long spinUntil(long deadline) {
        long now;
        while ((now = System.nanoTime()) < deadline) {
            Thread.onSpinWait();
        }
        return now;
    }

    private long stall(long now) {
        stallAtNanoTime = Long.MAX_VALUE;
        return spinUntil(now + stallNanos);
    }

    private void bookkeeping() {
        byte[] b = new byte[spec.allocateBytes()];
        for (int i = 0; i < b.length; i += 64) {
            b[i] = (byte) i;
        }
        sink = b;
    }

    private static long readNativeTid() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "pid/task/tid"
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Asks the loop to stop after its current iteration. Any thread. */
    public void abort() {
        abort = true;
    }

    /** @return the configuration. */
    public ThreadSpec spec() {
        return spec;
    }

    /** @return the Linux thread id, or -1 before {@link #run} started or where unknown. */
    public long nativeTid() {
        return nativeTid;
    }

    /** @return what ended the loop abnormally, or null. Read after the thread was joined. */
    public Throwable failure() {
        return failure;
    }

    /** @return iterations done (warm-up included). Read after the thread was joined. */
    public long iterations() {
        return iterations;
    }

    /** @return the worst waits of the measured phase. Read after the thread was joined. */
    public WorstWaits worstWaits() {
        return worst[1];
    }

    /** @return the over-budget log (drained by the harness). */
    public OverBudgetLog overBudget() {
        return overBudget;
    }

    /** @return the size of the last bookkeeping allocation (keeps the allocation observable). */
    int sinkLength() {
        return sink == null ? 0 : sink.length;
    }
}
