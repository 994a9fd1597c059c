package io.rtsem.bridge;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The calling thread's Linux timer slack ({@code prctl(PR_SET_TIMERSLACK)}), through a JNA direct mapping.
 *
 * <p>The kernel may delay a timed sleep ({@code parkNanos}) by up to the sleeping thread's timer slack so that it can
 * batch timer expiries: 50 µs by default. A wake service that polls every few microseconds is therefore late by the
 * slack unless it lowers its own. Set-up time, NON_RT only (loads libc on first use).
 */
final class TimerSlack {
    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;

    private TimerSlack() {}

    /**
     * Sets the calling thread's timer slack.
     *
     * @param nanos the slack, {@code >= 1} (0 would restore the process default).
     * @return {@code true} if the kernel accepted it; {@code false} where prctl or JNA is unavailable.
     */
    static boolean set(long nanos) {
        try {
            return Libc.prctl(PR_SET_TIMERSLACK, nanos, 0L, 0L, 0L) == 0;
        } catch (LinkageError | RuntimeException ex) {
            return false;
        }
    }

    /**
     * The calling thread's timer slack.
     *
     * @return nanoseconds, or -1 where it cannot be read.
     */
    static long get() {
        try {
            return Libc.prctl(PR_GET_TIMERSLACK, 0L, 0L, 0L, 0L);
        } catch (LinkageError | RuntimeException ex) {
            return -1L;
        }
    }

    /** Loaded on first use only, so a missing libc surfaces as a LinkageError caught above. */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance("c"));
        }

        static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }
}
