package io.rtsem.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link RtThreadSchedulingTest}, run without CAP_SYS_NICE and with RLIMIT_RTPRIO 0: starts a
 * SOFT RtThread under its context default, in STRICT ({@code args[0]} = "strict") or PREFER ("prefer") mode, and
 * prints what happened: {@code REFUSED <message>} or {@code APPLIED <AppliedScheduling>} and {@code KERNEL <stat>},
 * and {@code BODY RAN} / {@code BODY NEVER RAN}. Also prints the kernel's view of a direct {@code SCHED_FIFO}
 * attempt's precondition: {@code CAPEFF} and the limits line.
 */
public final class SchedulingRefusalProbe {
    private SchedulingRefusalProbe() {}

    public static void main(String[] args) throws Exception {
        final RtScheduling request =
                args[0].equals("prefer") ? RtScheduling.contextDefault().preferred() : RtScheduling.contextDefault();
        final CompletableFuture<String> body = new CompletableFuture<>();
        try {
            final RtThread thread = RtThread.start("refused-soft", RtContext.SOFT, RtThread.NO_PIN, request, () -> {
                try {
                    body.complete(ThreadStat.ofCurrentThread().toString());
                } catch (Exception ex) {
                    body.complete("stat unreadable: " + ex);
                }
            });
            thread.join(TimeUnit.SECONDS.toMillis(20));
            System.out.println("APPLIED " + thread.scheduling());
            System.out.println("ASREQUESTED " + thread.scheduling().asRequested());
            System.out.println("POLICY " + thread.scheduling().policy());
        } catch (IllegalStateException ex) {
            System.out.println("REFUSED " + ex.getMessage());
        }
        System.out.println(body.isDone() ? "BODY RAN KERNEL " + body.get() : "BODY NEVER RAN");
    }
}
