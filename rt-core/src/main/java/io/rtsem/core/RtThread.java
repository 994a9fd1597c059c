package io.rtsem.core;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import net.openhft.affinity.Affinity;
import net.openhft.affinity.AffinityLock;

/**
 * A thread with a fixed {@link RtContext}, pinned to a CPU with OpenHFT Java-Thread-Affinity and given its context's
 * scheduling policy before its body runs.
 *
 * <p>{@link #start(String, RtContext, int, Runnable)} returns only once the new thread is pinned (or known not to
 * need pinning) and its scheduling is applied. A thread that asked for a CPU and could not be pinned never runs its
 * body: {@code start} throws an {@link IllegalStateException} naming the CPU and the reason. rtsem never runs a
 * real-time thread silently unpinned. The same holds for scheduling: a policy the kernel refuses stops the thread
 * (STRICT, the default), unless the request was made {@link RtScheduling#preferred() PREFER}, in which case the
 * thread runs and {@link #scheduling()} says what it got and why.
 *
 * <p>Scheduling (docs/ARCHITECTURE.md S1-S6): SOFT threads run at {@code SCHED_FIFO} {@value
 * RtScheduling#SOFT_PRIORITY}; HARD threads at {@code SCHED_FIFO} {@value RtScheduling#HARD_PRIORITY} when pinned
 * and the machine runs FIFO threads unthrottled, else at {@code SCHED_OTHER} with a note; NON_RT threads as they
 * inherited. The thread sets its own policy ({@code sched_setscheduler} on its tid) before the body runs, with
 * {@code SCHED_RESET_ON_FORK}, and records it, so that wait strategies learn the policy without a system call.
 *
 * <p>Pinning: where Java-Thread-Affinity can reserve the CPU with an {@link AffinityLock} (a lock file shared by every
 * process using the library; on a 2-CPU machine only CPU 1 is reservable, CPU 0 never is), it does; otherwise it
 * binds with {@link Affinity#setAffinity(int)} ({@code sched_setaffinity}) and verifies the resulting mask. How the
 * thread was pinned is in {@link #pinning()}.
 */
public final class RtThread extends Thread {
    /** Pin to any CPU that no other pinned RtThread of this JVM holds. */
    public static final int ANY_CPU = -2;
    /** Do not pin. */
    public static final int NO_PIN = -1;

    private static final Set<Integer> PINNED_HERE = ConcurrentHashMap.newKeySet();

    /** The HARD default kept SCHED_OTHER because of RT throttling: said once per JVM in the log, always in the note. */
    private static final AtomicBoolean THROTTLING_LOGGED = new AtomicBoolean();

    private final RtContext context;
    private final int requestedCpu;
    private final RtScheduling requestedScheduling;
    private final Runnable body;
    private final CountDownLatch pinned = new CountDownLatch(1);
    // Written by the new thread before it counts `pinned` down; start() reads them after await(): the latch orders
    // them, and volatile keeps later readers (cpu() from any thread) exact without it.
    private volatile int cpu = -1;
    private volatile String pinning = "not pinned";
    private volatile RuntimeException pinFailure;
    private volatile AppliedScheduling scheduling;
    // Written and read by this thread only (set before its body runs): plain, so a wait strategy reads it with one
    // field load and no fence.
    private boolean realTimePolicy;
    // The FIFO/RR priority read back at start, 0 under another policy; same rules as realTimePolicy (ARCHITECTURE P2).
    private int realTimePriority;
    /** This thread's holdings, for priority inheritance (P1); created and written by this thread only. */
    HolderRecord holderRecord;

    private RtThread(String name, RtContext context, int requestedCpu, RtScheduling scheduling, Runnable body) {
        super(name);
        this.context = context;
        this.requestedCpu = requestedCpu;
        this.requestedScheduling = scheduling;
        this.body = body;
        if (context != RtContext.NON_RT) {
            Holders.arm(); // P1: holds are recorded once a SOFT or HARD thread exists
        }
        if (context == RtContext.HARD) {
            RtContext.markHardInUse();
        }
    }

    /**
     * Creates, starts and pins a thread that runs {@code body} in {@code context}, under the context's default
     * scheduling ({@link RtScheduling#contextDefault()}, STRICT): the same as
     * {@link #start(String, RtContext, int, RtScheduling, Runnable)} with it.
     *
     * <p>NON_RT, set-up time: allocates the thread and blocks until it has pinned itself and set its policy
     * (microseconds to a few milliseconds). The new thread is a daemon if the caller is.
     *
     * @param name    thread name, not {@code null}.
     * @param context the thread's fixed context, not {@code null}.
     * @param cpu     a CPU id ({@code 0..n-1} of this machine), {@link #ANY_CPU} or {@link #NO_PIN}.
     * @param body    what the thread runs, not {@code null}.
     * @return the started, pinned thread.
     * @throws IllegalArgumentException if {@code cpu} is not a CPU of this machine nor ANY_CPU/NO_PIN.
     * @throws IllegalStateException if the thread could not be pinned (names the CPU and the reason) or the kernel
     *                               refused its context's policy (names the call, errno and the fix); the body then
     *                               never runs.
     */
    public static RtThread start(String name, RtContext context, int cpu, Runnable body) {
        return start(name, context, cpu, RtScheduling.contextDefault(), body);
    }

    /**
     * Creates, starts and pins a thread that runs {@code body} in {@code context} under {@code scheduling}.
     *
     * <p>The new thread pins itself, then sets its own policy and priority with {@code sched_setscheduler} on its tid
     * (with {@code SCHED_RESET_ON_FORK} for a real-time policy), reads them back, and only then runs the body. Where
     * the kernel refuses (EPERM: no CAP_SYS_NICE and a RLIMIT_RTPRIO below the priority, or a container that forbids
     * it), a STRICT request makes this method throw, naming errno, strerror and the fix; a
     * {@link RtScheduling#preferred() PREFER} request lets the thread run under the policy it has, and
     * {@link #scheduling()} records what was asked, what applies and why.
     *
     * <p>NON_RT, set-up time: allocates the thread and blocks until it is pinned and scheduled (microseconds to a few
     * milliseconds); the new thread makes the system calls and reads {@code /proc/sys/kernel/sched_rt_runtime_us}
     * (and, on a refusal, {@code /proc/self/status} and {@code /proc/self/limits}). The new thread is a daemon if
     * the caller is.
     *
     * @param name       thread name, not {@code null}.
     * @param context    the thread's fixed context, not {@code null}.
     * @param cpu        a CPU id ({@code 0..n-1} of this machine), {@link #ANY_CPU} or {@link #NO_PIN}.
     * @param scheduling what to set, not {@code null}: {@link RtScheduling#contextDefault()},
     *                   {@link RtScheduling#unchanged()}, or a policy and priority.
     * @param body       what the thread runs, not {@code null}.
     * @return the started, pinned and scheduled thread.
     * @throws IllegalArgumentException if {@code cpu} is not a CPU of this machine nor ANY_CPU/NO_PIN.
     * @throws IllegalStateException if the thread could not be pinned (names the CPU and the reason), or a STRICT
     *                               request was refused by the kernel (names the system call, errno, strerror and
     *                               the fix); the body then never runs.
     */
    public static RtThread start(String name, RtContext context, int cpu, RtScheduling scheduling, Runnable body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(scheduling, "scheduling");
        Objects.requireNonNull(body, "body");
        final int cpus = Runtime.getRuntime().availableProcessors();
        final int configured = AffinityLock.PROCESSORS;
        if (cpu != ANY_CPU && cpu != NO_PIN && (cpu < 0 || cpu >= Math.max(cpus, configured))) {
            throw new IllegalArgumentException("cpu " + cpu + " is not a CPU of this machine (0.."
                    + (Math.max(cpus, configured) - 1) + "), nor RtThread.ANY_CPU (-2) or RtThread.NO_PIN (-1)");
        }
        final RtThread thread = new RtThread(name, context, cpu, scheduling, body);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.pinned.await();
                break;
            } catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        final RuntimeException failure = thread.pinFailure;
        if (failure != null) {
            throw failure;
        }
        return thread;
    }

    /**
     * The CPU this thread is pinned to, or -1 if it is not pinned. Any context; a volatile read.
     *
     * @return the CPU id, or -1.
     */
    public int cpu() {
        return cpu;
    }

    /**
     * The context this thread was started with; it never changes. Any context; no allocation.
     *
     * @return the context.
     */
    public RtContext context() {
        return context;
    }

    /**
     * How this thread was pinned: {@code "AffinityLock cpu N"}, {@code "sched_setaffinity cpu N"} or
     * {@code "not pinned"}. Any context.
     *
     * @return a description.
     */
    public String pinning() {
        return pinning;
    }

    /**
     * What the thread's scheduling request became: what was asked, the policy and priority the kernel reported right
     * after they were set, and why they differ, if they do. Any context; a volatile read. Set before
     * {@link #start(String, RtContext, int, RtScheduling, Runnable) start} returns.
     *
     * @return the outcome; never {@code null} for a thread that {@code start} returned.
     */
    public AppliedScheduling scheduling() {
        return scheduling;
    }

    /**
     * Whether the calling thread is an RtThread that runs under a real-time policy (FIFO, RR; as read back at its
     * start). For wait strategies: no system call, no allocation; a type check and a plain field read of the
     * caller's own thread. A thread that is not an RtThread counts as not real-time: rtsem does not know its policy.
     */
    static boolean currentThreadRealTime() {
        final Thread thread = Thread.currentThread();
        return thread instanceof RtThread && ((RtThread) thread).realTimePolicy;
    }

    /**
     * The calling thread's FIFO/RR priority if it is an RtThread under a real-time policy (as read back at its start),
     * else 0. For priority inheritance (ARCHITECTURE P2): no system call, no allocation; a type check and plain field
     * reads of the caller's own thread.
     */
    static int currentRealTimePriority() {
        final Thread thread = Thread.currentThread();
        return thread instanceof RtThread ? ((RtThread) thread).realTimePriority : 0;
    }

    /**
     * Pins the thread, sets its scheduling, then runs the body. Called by the JVM on the new thread only.
     *
     * @throws IllegalStateException if called directly from another thread.
     */
    @Override
    public void run() {
        if (Thread.currentThread() != this) {
            throw new IllegalStateException("RtThread.run() runs on the RtThread itself; use RtThread.start(..)");
        }
        AffinityLock lock = null;
        try {
            try {
                lock = pin();
            } catch (RuntimeException | Error ex) {
                pinFailure = ex instanceof IllegalStateException
                        ? (IllegalStateException) ex
                        : new IllegalStateException(
                                "RtThread '" + getName() + "' could not be pinned to " + describe(requestedCpu) + ": "
                                        + ex,
                                ex);
                pinned.countDown();
                return;
            }
            try {
                scheduling = applyScheduling();
                realTimePolicy = scheduling.realTime();
                realTimePriority = realTimePolicy ? scheduling.priority() : 0;
            } catch (RuntimeException | Error ex) {
                pinFailure = ex instanceof IllegalStateException
                        ? (IllegalStateException) ex
                        : new IllegalStateException(
                                "RtThread '" + getName() + "' could not apply its scheduling " + requestedScheduling
                                        + ": " + ex,
                                ex);
                return;
            } finally {
                pinned.countDown();
            }
            body.run();
        } finally {
            if (lock != null) {
                lock.release();
            }
            final int held = cpu;
            if (held >= 0) {
                PINNED_HERE.remove(held);
            }
        }
    }

    private AffinityLock pin() {
        if (requestedCpu == NO_PIN) {
            return null;
        }
        if (requestedCpu == ANY_CPU) {
            final AffinityLock lock = AffinityLock.acquireLock();
            if (lock.cpuId() >= 0 && PINNED_HERE.add(lock.cpuId())) {
                verifyBoundTo(lock.cpuId(), "AffinityLock");
                cpu = lock.cpuId();
                pinning = "AffinityLock cpu " + cpu;
                return lock;
            }
            lock.release();
            final BitSet base = AffinityLock.BASE_AFFINITY;
            for (int c = base.length() - 1; c >= 0; c--) {
                if (base.get(c) && PINNED_HERE.add(c)) {
                    bindWithSetAffinity(c);
                    return null;
                }
            }
            throw new IllegalStateException("RtThread '" + getName() + "' asked for ANY_CPU but every CPU of " + base
                    + " already holds a pinned RtThread of this JVM, and AffinityLock had none to reserve");
        }
        if (!PINNED_HERE.add(requestedCpu)) {
            throw new IllegalStateException("RtThread '" + getName() + "' cannot be pinned to cpu " + requestedCpu
                    + ": another live RtThread of this JVM is pinned there");
        }
        try {
            if (AffinityLock.RESERVED_AFFINITY.get(requestedCpu)) {
                final AffinityLock lock = AffinityLock.acquireLock(requestedCpu);
                if (lock.cpuId() == requestedCpu && lock.isAllocated()) {
                    verifyBoundTo(requestedCpu, "AffinityLock");
                    cpu = requestedCpu;
                    pinning = "AffinityLock cpu " + cpu;
                    return lock;
                }
                lock.release();
            }
            bindWithSetAffinity(requestedCpu);
            return null;
        } catch (RuntimeException ex) {
            PINNED_HERE.remove(requestedCpu);
            throw ex;
        }
    }

    private void bindWithSetAffinity(int target) {
        try {
            Affinity.setAffinity(target);
        } catch (RuntimeException | Error ex) {
            PINNED_HERE.remove(target);
            throw new IllegalStateException(
                    "RtThread '" + getName() + "' could not be pinned to cpu " + target + ": sched_setaffinity failed: "
                            + ex,
                    ex);
        }
        verifyBoundTo(target, "sched_setaffinity");
        cpu = target;
        pinning = "sched_setaffinity cpu " + target;
    }

    private void verifyBoundTo(int target, String how) {
        final BitSet mask = Affinity.getAffinity();
        if (mask.cardinality() != 1 || !mask.get(target)) {
            PINNED_HERE.remove(target);
            throw new IllegalStateException(
                    "RtThread '" + getName() + "' could not be pinned to cpu " + target + ": after " + how
                            + " its affinity mask is " + mask + " (is the CPU outside this process's cpuset?)");
        }
    }

    /** What a request means for a thread of {@code context}: the request to apply, and a note to record. */
    record Resolved(RtScheduling request, String note) {}

    /**
     * Resolves {@code asked} for a thread of {@code context} (S1-S3): a context default becomes SOFT's FIFO, HARD's
     * FIFO (pinned and unthrottled) or SCHED_OTHER with a note, NON_RT's "unchanged"; an explicit FIFO for HARD under
     * RT throttling is kept, with a note. Pure: {@code rtRuntimeMicros} is {@code sched_rt_runtime_us} as read.
     */
    static Resolved resolve(RtContext context, RtScheduling asked, boolean pinned, long rtRuntimeMicros) {
        final String throttling = rtRuntimeMicros == KernelScheduler.UNKNOWN
                ? "whether RT throttling is on is unknown (" + KernelScheduler.RT_RUNTIME + " is unreadable)"
                : "RT throttling is on (sched_rt_runtime_us=" + rtRuntimeMicros + "; -1 turns it off)";
        if (!asked.isContextDefault()) {
            final SchedulingPolicy policy = asked.policyOrNull();
            if (context == RtContext.HARD && policy != null && policy.isRealTime() && rtRuntimeMicros != -1) {
                return new Resolved(
                        asked,
                        policy + " asked for HARD while " + throttling
                                + ": a spinner at FIFO is stopped for the rest of each period once it used its budget");
            }
            return new Resolved(asked, "");
        }
        switch (context) {
            case SOFT:
                return new Resolved(
                        RtScheduling.fifo(RtScheduling.SOFT_PRIORITY).withModeOf(asked), "");
            case HARD:
                if (pinned && rtRuntimeMicros == -1) {
                    return new Resolved(
                            RtScheduling.fifo(RtScheduling.HARD_PRIORITY).withModeOf(asked), "");
                }
                final String why = !pinned
                        ? "the thread is not pinned (an unpinned FIFO spinner could starve any CPU)"
                        : throttling + ": a FIFO spinner would be stopped for the rest of each period once it used"
                                + " that budget, a longer stall than SCHED_OTHER's";
                return new Resolved(
                        RtScheduling.other().withModeOf(asked),
                        "HARD default keeps SCHED_OTHER: " + why + "; ask for RtScheduling.fifo("
                                + RtScheduling.HARD_PRIORITY + ") to have FIFO anyway");
            default:
                return new Resolved(RtScheduling.unchanged().withModeOf(asked), "");
        }
    }

    /** Runs on this thread, after pinning: resolves, sets and reads back its scheduling (S1-S5). */
    private AppliedScheduling applyScheduling() {
        return apply("RtThread '" + getName() + "'", context, requestedScheduling, cpu >= 0);
    }

    /**
     * Applies a scheduling request to the calling thread, which need not be an {@link RtThread}: for a thread that
     * rtsem's callers create themselves, such as rt-bridge's wake service, which must be a daemon {@link Thread} and
     * so cannot be started through {@link #start(String, RtContext, int, RtScheduling, Runnable)}. The request is
     * resolved for {@code context} as at an RtThread's start (S1-S3; the thread counts as pinned when its affinity mask
     * holds exactly one CPU), set with {@code sched_setscheduler} on the caller's tid (with
     * {@code SCHED_RESET_ON_FORK} for a real-time policy), and read back from the kernel (S5). A STRICT request the
     * kernel refuses throws; a {@link RtScheduling#preferred() PREFER} request leaves the thread under the policy it
     * has and says why in the result's {@link AppliedScheduling#note()}.
     *
     * <p>If the caller is an RtThread, its {@link #scheduling()} and the policy its wait strategies read are updated.
     * Any other thread counts as {@code SCHED_OTHER} for rtsem's wait strategies whatever this sets (S4): give a
     * thread that waits on an {@link RtSemaphore} under a real-time policy a wait strategy without yields.
     *
     * <p>NON_RT, set-up time, on the thread to schedule: makes {@code sched_setscheduler}, {@code sched_getscheduler}
     * and {@code sched_getparam} system calls, reads {@code /proc/sys/kernel/sched_rt_runtime_us} and the affinity
     * mask (and, on a refusal, {@code /proc/self/status} and {@code /proc/self/limits}), and allocates. Never call it
     * on a HARD path.
     *
     * @param context    the context whose default {@link RtScheduling#contextDefault()} stands for, not {@code null}.
     * @param scheduling what to set, not {@code null}.
     * @return what the request became, as the kernel reports it.
     * @throws IllegalStateException if a STRICT request was refused (naming the thread, the system call, errno,
     *                               strerror, this process's CapEff and RLIMIT_RTPRIO, and the fix); the thread's
     *                               policy is then unchanged.
     * @throws NullPointerException  if an argument is {@code null}.
     */
    public static AppliedScheduling applyToCurrentThread(RtContext context, RtScheduling scheduling) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(scheduling, "scheduling");
        final Thread current = Thread.currentThread();
        boolean pinned;
        try {
            pinned = Affinity.getAffinity().cardinality() == 1;
        } catch (RuntimeException | LinkageError ex) {
            pinned = false;
        }
        final String who = (current instanceof RtThread ? "RtThread '" : "thread '") + current.getName() + "'";
        final AppliedScheduling applied = apply(who, context, scheduling, pinned);
        if (current instanceof RtThread) {
            final RtThread self = (RtThread) current;
            self.scheduling = applied;
            self.realTimePolicy = applied.realTime(); // plain: written and read by this thread only
            self.realTimePriority = self.realTimePolicy ? applied.priority() : 0; // ARCHITECTURE P2
        }
        return applied;
    }

    /** Resolves, sets and reads back the calling thread's scheduling (S1-S5); {@code who} names it in messages. */
    private static AppliedScheduling apply(String who, RtContext context, RtScheduling requested, boolean pinned) {
        final Resolved resolved = resolve(context, requested, pinned, KernelScheduler.rtRuntimeMicros());
        final RtScheduling request = resolved.request();
        if (context == RtContext.HARD
                && requested.isContextDefault()
                && !resolved.note().isEmpty()
                && pinned
                && THROTTLING_LOGGED.compareAndSet(false, true)) {
            System.getLogger(RtThread.class.getName()).log(System.Logger.Level.WARNING, who + ": " + resolved.note());
        }
        final StringBuilder note = new StringBuilder(resolved.note());
        final int tid;
        try {
            tid = Affinity.getThreadId();
        } catch (RuntimeException | LinkageError ex) {
            return refusedOrRecorded(
                    who, context, request, note, "the thread's tid is unavailable (" + ex + ")", ex, -1);
        }
        final SchedulingPolicy policy = request.policyOrNull();
        boolean applied = true;
        if (policy != null) {
            final int flags = policy.linuxValue() | (policy.isRealTime() ? SchedulingPolicy.RESET_ON_FORK : 0);
            final int errno;
            try {
                errno = KernelScheduler.set(tid, flags, request.priority());
            } catch (LinkageError ex) {
                return refusedOrRecorded(
                        who, context, request, note, "sched_setscheduler is unavailable (" + ex + ")", ex, tid);
            }
            if (errno != 0) {
                final String why = "sched_setscheduler(tid " + tid + ", SCHED_" + policy
                        + (policy.isRealTime() ? "|SCHED_RESET_ON_FORK" : "") + ", priority " + request.priority()
                        + ") failed with " + KernelScheduler.describeErrno(errno)
                        + (errno == 1 ? ": " + KernelScheduler.permissionDiagnosis() + ". " + fix(request) : "");
                if (!request.isPreferred()) {
                    throw new IllegalStateException(who + " (" + context + ") could not be given " + request.strict()
                            + ": " + why + " To run without it instead, ask for " + request.strict()
                            + "/prefer (RtScheduling.preferred()).");
                }
                append(note, why);
                applied = false;
            }
        }
        return readBack(request, note, applied, tid);
    }

    /** Reads the thread's policy back from the kernel (S5). */
    private static AppliedScheduling readBack(RtScheduling request, StringBuilder note, boolean applied, int tid) {
        int policyValue;
        int priority;
        try {
            policyValue = KernelScheduler.policy(tid);
            priority = KernelScheduler.priority(tid);
        } catch (LinkageError ex) {
            policyValue = -1;
            priority = -1;
        }
        SchedulingPolicy policy = policyValue >= 0 ? SchedulingPolicy.ofLinux(policyValue) : null;
        if (policy == null || priority < 0) {
            append(
                    note,
                    "the policy could not be read back (sched_getscheduler " + policyValue + ", priority " + priority
                            + ")");
            final SchedulingPolicy asked = request.policyOrNull();
            policy = applied && asked != null ? asked : SchedulingPolicy.OTHER;
            priority = applied && asked != null ? request.priority() : 0;
        }
        return new AppliedScheduling(request, policy, priority, applied, note.toString());
    }

    /** A failure other than a refusal (no JNA, no tid): thrown for STRICT, recorded for PREFER. */
    private static AppliedScheduling refusedOrRecorded(
            String who,
            RtContext context,
            RtScheduling request,
            StringBuilder note,
            String why,
            Throwable cause,
            int tid) {
        if (request.policyOrNull() == null) {
            append(note, why);
            return new AppliedScheduling(request, SchedulingPolicy.OTHER, 0, true, note.toString());
        }
        if (!request.isPreferred()) {
            throw new IllegalStateException(
                    who + " (" + context + ") could not be given " + request.strict() + ": " + why, cause);
        }
        append(note, why);
        return tid < 0
                ? new AppliedScheduling(request, SchedulingPolicy.OTHER, 0, false, note.toString())
                : readBack(request, note, false, tid);
    }

    private static void append(StringBuilder note, String text) {
        if (note.length() > 0) {
            note.append("; ");
        }
        note.append(text);
    }

    /** The fix for EPERM, naming this JVM's binary and the priority. */
    private static String fix(RtScheduling request) {
        final String java =
                Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "Fix: give the JVM CAP_SYS_NICE (setcap cap_sys_nice+ep " + java + "), or allow real-time priorities"
                + " up to " + request.priority() + " (an rtprio line in /etc/security/limits.conf, or ulimit -r "
                + request.priority() + " before starting the JVM), or run as root; in a container also allow it"
                + " (docker run --cap-add=SYS_NICE --ulimit rtprio=" + request.priority() + ").";
    }

    private static String describe(int cpu) {
        return cpu == ANY_CPU ? "ANY_CPU" : cpu == NO_PIN ? "NO_PIN" : "cpu " + cpu;
    }

    /** @return name, context, CPU and scheduling, for diagnostics (allocates). */
    @Override
    public String toString() {
        final AppliedScheduling s = scheduling;
        return "RtThread[" + getName() + ", " + context + ", " + pinning + (s == null ? "" : ", " + s) + "]";
    }
}
