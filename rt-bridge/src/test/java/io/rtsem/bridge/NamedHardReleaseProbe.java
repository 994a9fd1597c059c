package io.rtsem.bridge;

import io.rtsem.core.RtContext;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child JVM of {@link NamedHardReleaseSyscallTest}: {@code NamedHardReleaseProbe SEMTOOL ROUNDS}. Each round a C
 * process sleeps in sem_wait and a HARD thread releases; prints {@code HARDTID <tid> <rounds woken>}.
 */
public final class NamedHardReleaseProbe {
    private NamedHardReleaseProbe() {}

    public static void main(String[] args) throws Exception {
        NamedSemaphore.sliceNanos = TimeUnit.HOURS.toNanos(1);
        String name = SemTool.uniqueName();
        int rounds = Integer.parseInt(args[1]);
        int woken = 0;
        try (NamedSemaphore sem = NamedSemaphore.create(name, 0)) {
            AtomicInteger go = new AtomicInteger();
            String[] tid = new String[1];
            Thread hard = new Thread(() -> {
                try (RtContext.Scope ignored = RtContext.enter(RtContext.HARD)) {
                    tid[0] = Files.readSymbolicLink(Paths.get("/proc/thread-self"))
                            .getFileName()
                            .toString();
                    for (int i = 1; i <= rounds; i++) {
                        while (go.get() < i) {
                            Thread.onSpinWait();
                        }
                        sem.release();
                    }
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            hard.start();
            for (int i = 1; i <= rounds; i++) {
                Process c = new ProcessBuilder(args[0], "wait", "/" + name).start();
                while (sem.registeredWaiters() == 0) {
                    Thread.sleep(1);
                }
                go.set(i);
                if (c.waitFor(20, TimeUnit.SECONDS) && c.exitValue() == 0) {
                    woken++;
                }
            }
            hard.join();
            System.out.println("HARDTID " + tid[0] + " " + woken);
        } finally {
            NamedSemaphore.unlink(name);
        }
    }
}
