package io.rtsem.core;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The kernel's scheduling calls for {@link RtThread}: {@code sched_setscheduler}, {@code sched_getscheduler},
 * {@code sched_getparam} and {@code strerror}, through a JNA direct mapping (as rt-bridge's TimerSlack does), plus the
 * files that explain a refusal. Set-up time, on the thread being started: every method here makes a system call or
 * reads a file, and allocates; none is on a wait path.
 */
final class KernelScheduler {
    /** Where the kernel's RT throttling budget lives: -1 means unthrottled. */
    static final Path RT_RUNTIME = Path.of("/proc/sys/kernel/sched_rt_runtime_us");

    /** Reported by {@link #rtRuntimeMicros()} where the file cannot be read. */
    static final long UNKNOWN = Long.MIN_VALUE;

    private static final int CAP_SYS_NICE = 23;

    private KernelScheduler() {}

    /**
     * Sets the policy and priority of thread {@code tid}.
     *
     * @return 0 on success, else the errno.
     * @throws LinkageError where libc or JNA is unavailable.
     */
    static int set(int tid, int policyWithFlags, int priority) {
        try {
            Libc.sched_setscheduler(tid, policyWithFlags, new int[] {priority});
            return 0;
        } catch (LastErrorException ex) {
            return ex.getErrorCode();
        }
    }

    /**
     * @return the policy of thread {@code tid} with {@code SCHED_RESET_ON_FORK} masked off, or {@code -errno}.
     * @throws LinkageError where libc or JNA is unavailable.
     */
    static int policy(int tid) {
        try {
            return Libc.sched_getscheduler(tid) & ~SchedulingPolicy.RESET_ON_FORK;
        } catch (LastErrorException ex) {
            return -ex.getErrorCode();
        }
    }

    /**
     * @return the policy of thread {@code tid} with its flags ({@code SCHED_RESET_ON_FORK}) kept, or {@code -errno}:
     *     what {@link #set} needs to give a thread back exactly its own policy (ARCHITECTURE P4).
     * @throws LinkageError where libc or JNA is unavailable.
     */
    static int policyWithFlags(int tid) {
        try {
            return Libc.sched_getscheduler(tid);
        } catch (LastErrorException ex) {
            return -ex.getErrorCode();
        }
    }

    /**
     * @return the real-time priority of thread {@code tid} (0 under a non-real-time policy), or {@code -errno}.
     * @throws LinkageError where libc or JNA is unavailable.
     */
    static int priority(int tid) {
        final int[] param = new int[1];
        try {
            Libc.sched_getparam(tid, param);
            return param[0];
        } catch (LastErrorException ex) {
            return -ex.getErrorCode();
        }
    }

    /** @return {@code "EPERM, Operation not permitted"}-style text for {@code errno}. */
    static String describeErrno(int errno) {
        String text;
        try {
            text = Libc.strerror(errno);
        } catch (LinkageError | RuntimeException ex) {
            text = "strerror unavailable";
        }
        final String name = errno == 1 ? "EPERM" : errno == 3 ? "ESRCH" : errno == 22 ? "EINVAL" : null;
        return "errno " + errno + (name != null ? " (" + name + ", " + text + ")" : " (" + text + ")");
    }

    /**
     * Reads the file in one {@code read} call with an 8 KiB buffer ({@link InputStream#readAllBytes}): a sysctl file
     * answers a read at a non-zero offset with end of file, and {@link Files#readString} sizes its first read by the
     * file's size, 0 for every /proc file, so it reads one byte, then gets end of file ("9" for 950000, "-" for -1).
     *
     * @return {@code /proc/sys/kernel/sched_rt_runtime_us}: -1 when FIFO threads run unthrottled, else their budget
     *     per period in microseconds; {@link #UNKNOWN} where it cannot be read.
     */
    static long rtRuntimeMicros() {
        // One read with InputStream's 8 KiB buffer: a sysctl file answers a read at a non-zero offset with end of file,
        // and Files.readString, seeing the size 0 every /proc file reports, starts with a 1-byte read, so 950000 came
        // back as "9" (and -1 as "-").
        try (InputStream in = Files.newInputStream(RT_RUNTIME)) {
            return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | RuntimeException ex) {
            return UNKNOWN;
        }
    }

    /**
     * Why this process may not set a real-time policy, from {@code /proc/self/status} (CapEff) and
     * {@code /proc/self/limits} (Max realtime priority): e.g. "this process lacks CAP_SYS_NICE and its RLIMIT_RTPRIO
     * is 0".
     */
    static String permissionDiagnosis() {
        String caps = "whether this process has CAP_SYS_NICE is unknown";
        String rtprio = "its RLIMIT_RTPRIO is unknown";
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    final long eff = Long.parseUnsignedLong(
                            line.substring("CapEff:".length()).trim(), 16);
                    caps = (eff & (1L << CAP_SYS_NICE)) != 0
                            ? "this process has CAP_SYS_NICE (a container or security module may still forbid it)"
                            : "this process lacks CAP_SYS_NICE";
                }
            }
            for (final String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.toLowerCase(Locale.ROOT).startsWith("max realtime priority")) {
                    final String[] f = line.trim().split("\\s+");
                    rtprio = "its RLIMIT_RTPRIO is " + f[3] + " (hard " + f[4] + ")";
                }
            }
        } catch (IOException | RuntimeException ex) {
            // keep the "unknown" texts
        }
        return caps + " and " + rtprio;
    }

    /** Loaded on first use only, so a missing libc or JNA surfaces as a LinkageError at the call. */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance("c"));
        }

        static native int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

        static native int sched_getscheduler(int pid) throws LastErrorException;

        static native int sched_getparam(int pid, int[] param) throws LastErrorException;

        static native String strerror(int errnum);
    }
}
