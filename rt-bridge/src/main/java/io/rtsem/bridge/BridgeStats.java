package io.rtsem.bridge;

import io.rtsem.core.AppliedScheduling;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The counters and health of one {@link SemaphoreBridge}, from {@link SemaphoreBridge#stats()}: mode switches (B5),
 * hold times (B7), async grants and acquireAndRun outcomes (B6), and its wake service. (The guarantees are numbered in
 * {@code docs/BRIDGE.md}.)
 *
 * <p><b>A live view, not a snapshot:</b> one object per bridge, created with it; every getter reads the current
 * value of its counter, so two getters called one after the other may see different moments, and a count may lag
 * the event it counts by a moment (each getter says what it orders). Reading allocates nothing, except
 * {@link #lastModeSwitch()} (the string) and {@link #holdTimes(RtContext)} (the histogram copy).
 *
 * <p>Threading: any number of threads concurrently; every getter from any context (HARD included) unless it says
 * otherwise.
 */
public final class BridgeStats {
    private final ModeSwitchCheck modeSwitch;
    private final HoldTimeRecorders holdTimes;
    /** {@code null} without a wake service. */
    private final WakeService wakeService;

    private final AsyncGranter granter;

    final AtomicLong unmatchedReleases = new AtomicLong();
    final AtomicLong untimedHolds = new AtomicLong();
    final AtomicLong asyncGrants = new AtomicLong();
    final AtomicLong grantRacesLost = new AtomicLong();
    final AtomicLong failedRuns = new AtomicLong();
    final AtomicLong rejectedRuns = new AtomicLong();
    final AtomicLong abandonedRuns = new AtomicLong();
    /**
     * Written by the grant thread (executor rejection) and by executor threads (failed work), read by anyone. The
     * volatile store publishes the exception safely: a reader that sees the reference sees the exception fully built
     * (message, stack trace). Nothing else is ordered by it: concurrent failures overwrite each other (last store
     * wins), and the counter ({@link #failedRuns} or {@link #rejectedRuns}) is incremented before this store, so a
     * reader that sees a new count may still read the previous failure here for a moment.
     */
    volatile Throwable lastRunFailure;

    BridgeStats(
            ModeSwitchCheck modeSwitch, HoldTimeRecorders holdTimes, WakeService wakeService, AsyncGranter granter) {
        this.modeSwitch = modeSwitch;
        this.holdTimes = holdTimes;
        this.wakeService = wakeService;
        this.granter = granter;
    }

    /**
     * Mode switches seen under {@link ModeSwitchPolicy#RECORD} (B5). One volatile read.
     *
     * @return the count since attach.
     */
    public long modeSwitches() {
        return modeSwitch.count();
    }

    /**
     * The last recorded mode switch, as {@code "thread 'NAME' (id N) called CALL"}, or {@code null} if none.
     * Thread and call are two fields: under concurrent mode switches they may come from different calls.
     *
     * <p>Any context; allocates the string.
     *
     * @return the description, or {@code null}.
     */
    public String lastModeSwitch() {
        return modeSwitch.last();
    }

    /**
     * Every hold ended through the bridge under {@code context} (by the thread that ended it), in nanoseconds (B7).
     * Holds longer than {@link SemaphoreBridge.Options#holdTimeHighestTrackable} are recorded as that value.
     *
     * <p>NON_RT; allocates the copy.
     *
     * @param context the context.
     * @return a copy of the histogram.
     */
    public Histogram holdTimes(RtContext context) {
        return holdTimes.snapshot(Objects.requireNonNull(context, "context"));
    }

    /**
     * Holds ended under {@code context}, exact: one per hold (a hold released in parts counts once, at its last
     * permit). One volatile read.
     *
     * @param context the context.
     * @return the count.
     */
    public long holds(RtContext context) {
        return holdTimes.count(Objects.requireNonNull(context, "context"));
    }

    /**
     * @return permits released through {@link SemaphoreBridge#release(int)} that no open hold of the releasing thread
     *         matched. One volatile read, no allocation.
     */
    public long unmatchedReleases() {
        return unmatchedReleases.get();
    }

    /**
     * @return holds not timed because the acquiring thread already had 64 open holds. One volatile read, no
     *         allocation.
     */
    public long untimedHolds() {
        return untimedHolds.get();
    }

    /** @return async requests queued and not yet granted, cancelled or dropped. One volatile read. */
    public int pendingRequests() {
        return granter.pending();
    }

    /**
     * @return permits delivered to futures by the grant thread (counted before the future completes, so a caller of
     *         its {@code get()} sees it). One volatile read.
     */
    public long asyncGrants() {
        return asyncGrants.get();
    }

    /**
     * @return grants that lost to a cancellation, or whose future was completed otherwise (permits returned, not
     *         recorded as holds, B7). One volatile read.
     */
    public long grantRacesLost() {
        return grantRacesLost.get();
    }

    /**
     * @return acquireAndRun work that ended by exception (permits released), whether it ran at once on the caller or
     *         later on the executor. One volatile read, no allocation.
     */
    public long failedRuns() {
        return failedRuns.get();
    }

    /**
     * @return acquireAndRun work the executor rejected (permits released, not recorded as a hold; work not run). One
     *         volatile read, no allocation.
     */
    public long rejectedRuns() {
        return rejectedRuns.get();
    }

    /**
     * @return queued acquireAndRun work dropped by {@link SemaphoreBridge#close()} before a grant. One volatile read,
     *         no allocation.
     */
    public long abandonedRuns() {
        return abandonedRuns.get();
    }

    /**
     * The last exception of queued acquireAndRun work (run on its executor) or of its executor (a rejection). Work
     * that ran at once on the calling thread throws to that caller and is counted in {@link #failedRuns()}, but not
     * kept here. The count is incremented before this is stored, so the two may disagree for a moment.
     *
     * <p>One volatile read, no allocation.
     *
     * @return the exception, or {@code null} if none.
     */
    public Throwable lastRunFailure() {
        return lastRunFailure;
    }

    /** @return {@code true} while the wake service thread runs ({@code false} without one). Two volatile reads. */
    public boolean wakeServiceAlive() {
        return wakeService != null && wakeService.isAlive();
    }

    /**
     * @return wake indications the service has turned into {@code wakeParkedWaiters()} calls ({@code 0} without a wake
     *         service). One volatile read, no allocation.
     */
    public long wakeServiceWakes() {
        return wakeService == null ? 0L : wakeService.wakeCalls();
    }

    /**
     * @return polls the wake service made while waiters were parked (timed parks, and yields inside its spin window or
     *         with a poll interval of 0; {@code 0} without a wake service). One volatile read, no allocation.
     */
    public long wakeServicePolls() {
        return wakeService == null ? 0L : wakeService.polls();
    }

    /**
     * @return the polls of {@link #wakeServicePolls()} that were yields rather than timed parks: turns inside the spin
     *         window ({@link CommonOptions#wakeSpin}), or every turn with a poll interval of 0 ({@code 0} without a
     *         wake service). One volatile read, no allocation.
     */
    public long wakeServiceSpinTurns() {
        return wakeService == null ? 0L : wakeService.spinTurns();
    }

    /**
     * @return the spin window the wake service applies ({@link CommonOptions#wakeSpin}: the one asked for, or the
     *         default, which a service under a real-time policy drops to 0); -1 without a wake service. One volatile
     *         read, no allocation.
     */
    public long wakeServiceSpinWindowNanos() {
        return wakeService == null ? -1L : wakeService.windowNanos();
    }

    /**
     * @return times the wake service went idle: found no parked waiter, no wake indication and no boost request, and
     *         parked (untimed, or, while the semaphore records holds for priority inheritance, in polls of 0.5 to
     *         1 ms); {@code 0} without a wake service. Any context: one volatile read, no allocation.
     */
    public long wakeServiceIdleParks() {
        return wakeService == null ? 0L : wakeService.idleParks();
    }

    /**
     * @return the idle wake service's polls (0.5 to 1 ms each) for HARD waiters' boost requests that found nothing
     *         to do and parked again without reading the semaphore's state word (docs/BRIDGE.md, B2a); {@code 0}
     *         without a wake service. Any context: one volatile read, no allocation.
     */
    public long wakeServiceIdlePolls() {
        return wakeService == null ? 0L : wakeService.idlePolls();
    }

    /**
     * @return the wake service's timer slack as the kernel reported it when the service started, or -1 if unknown, not
     *         started yet or without a wake service. One volatile read, no allocation.
     */
    public long wakeServiceTimerSlackNanos() {
        return wakeService == null ? -1L : wakeService.appliedTimerSlackNanos();
    }

    /**
     * What the wake service's scheduling request ({@link CommonOptions#wakeScheduling(RtScheduling)}) became: the
     * request, the policy and priority the kernel reported for the service's thread when it started, whether that is
     * what was asked, and, if not, why ({@link AppliedScheduling#note()}: the system call, errno and the fix). Under the
     * PREFER default a refusal (no {@code CAP_SYS_NICE}) shows here as {@code asRequested() == false} and policy
     * {@code OTHER}.
     *
     * <p>Any context; one volatile read, no allocation.
     *
     * @return the outcome; {@code null} without a wake service.
     */
    public AppliedScheduling wakeServiceScheduling() {
        return wakeService == null ? null : wakeService.appliedScheduling();
    }

    /**
     * @return the exception that ended the wake service, or {@code null} (none, or without a wake service). One
     *         volatile read, no allocation.
     */
    public Throwable wakeServiceFailure() {
        return wakeService == null ? null : wakeService.failure();
    }

    /**
     * Diagnostics: every count above, on one line.
     *
     * <p>NON_RT; allocates the string.
     *
     * @return the description.
     */
    @Override
    public String toString() {
        return "BridgeStats[modeSwitches=" + modeSwitches() + ", pending=" + pendingRequests() + ", asyncGrants="
                + asyncGrants()
                + ", grantRacesLost=" + grantRacesLost() + ", failedRuns=" + failedRuns() + ", rejectedRuns="
                + rejectedRuns() + ", abandonedRuns=" + abandonedRuns() + ", unmatchedReleases=" + unmatchedReleases()
                + ", untimedHolds=" + untimedHolds() + ", wakeServiceWakes=" + wakeServiceWakes()
                + ", wakeServicePolls="
                + wakeServicePolls() + ", wakeServiceSpinTurns=" + wakeServiceSpinTurns()
                + ", wakeServiceSpinWindowNanos="
                + wakeServiceSpinWindowNanos() + ", wakeServiceScheduling="
                + wakeServiceScheduling() + "]";
    }
}
