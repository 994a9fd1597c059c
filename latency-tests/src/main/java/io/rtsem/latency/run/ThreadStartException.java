package io.rtsem.latency.run;

/**
 * A scenario thread could not be started as configured: it could not be pinned to its CPU (the
 * CPU is outside this process's cpuset, another pinned thread of this JVM holds it, no CPU is
 * left for {@code cpu: any}). An environment error, not a failed run: {@code ./rtsem} exits with
 * code 2. Thrown by the harness (NON_RT) before any measurement of the subject.
 */
public final class ThreadStartException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the thread, its CPU and the reason
     * @param cause   what {@code RtThread.start} threw
     */
    public ThreadStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
