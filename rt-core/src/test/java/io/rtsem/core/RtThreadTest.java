package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pinned thread creation: CPU 0 and CPU 1 both work here, and a failed pin is loud and runs nothing. */
class RtThreadTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void pinsToTheRequestedCpu(int cpu) throws Exception {
        final CompletableFuture<BitSet> mask = new CompletableFuture<>();
        final CompletableFuture<RtContext> seen = new CompletableFuture<>();
        final RtThread thread = RtThread.start("pinned-" + cpu, RtContext.HARD, cpu, () -> {
            mask.complete(Affinity.getAffinity());
            seen.complete(RtContext.current());
        });
        thread.join(TimeUnit.SECONDS.toMillis(20));
        assertEquals(cpu, thread.cpu());
        final BitSet expected = new BitSet();
        expected.set(cpu);
        assertEquals(expected, mask.get(20, TimeUnit.SECONDS), "affinity mask inside the body");
        assertEquals(RtContext.HARD, seen.get(20, TimeUnit.SECONDS));
        assertEquals(RtContext.HARD, thread.context());
        assertTrue(thread.pinning().contains("cpu " + cpu), thread.pinning());
    }

    @Test
    void anyCpuPinsSomewhereAndNoPinDoesNot() throws Exception {
        final CompletableFuture<Integer> bits = new CompletableFuture<>();
        final RtThread any = RtThread.start(
                "any",
                RtContext.SOFT,
                RtThread.ANY_CPU,
                () -> bits.complete(Affinity.getAffinity().cardinality()));
        any.join(TimeUnit.SECONDS.toMillis(20));
        assertTrue(any.cpu() >= 0, "pinned to " + any.cpu());
        assertEquals(1, bits.get(20, TimeUnit.SECONDS));

        final CompletableFuture<RtContext> seen = new CompletableFuture<>();
        final RtThread free =
                RtThread.start("free", RtContext.SOFT, RtThread.NO_PIN, () -> seen.complete(RtContext.current()));
        free.join(TimeUnit.SECONDS.toMillis(20));
        assertEquals(-1, free.cpu());
        assertEquals(RtContext.SOFT, seen.get(20, TimeUnit.SECONDS));
    }

    @Test
    void aCpuThatDoesNotExistIsRefusedByName() {
        final IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> RtThread.start("bad", RtContext.HARD, 4096, () -> {}));
        assertTrue(ex.getMessage().contains("4096"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RtThread.start("bad", RtContext.HARD, -7, () -> {}));
    }

    @Test
    void aFailedPinIsLoudAndTheBodyNeverRuns() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        final RtThread holder = RtThread.start("holder", RtContext.HARD, 0, () -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            final AtomicBoolean ran = new AtomicBoolean();
            final IllegalStateException ex = assertThrows(
                    IllegalStateException.class,
                    () -> RtThread.start("second", RtContext.HARD, 0, () -> ran.set(true)));
            assertTrue(ex.getMessage().contains("cpu 0") && ex.getMessage().contains("second"), ex.getMessage());
            assertFalse(ran.get(), "the body of a thread that could not be pinned never runs");
        } finally {
            release.countDown();
            holder.join(TimeUnit.SECONDS.toMillis(20));
        }
        // Once the holder ended, CPU 0 is free again.
        RtThread.start("again", RtContext.HARD, 0, () -> {}).join(TimeUnit.SECONDS.toMillis(20));
    }

    @Test
    void contextOfAnRtThreadCannotBeRedeclared() throws Exception {
        final CompletableFuture<Throwable> failure = new CompletableFuture<>();
        RtThread.start("fixed", RtContext.SOFT, RtThread.NO_PIN, () -> {
                    try {
                        RtContext.enter(RtContext.HARD);
                        failure.complete(null);
                    } catch (Throwable ex) {
                        failure.complete(ex);
                    }
                })
                .join(TimeUnit.SECONDS.toMillis(20));
        final Throwable ex = failure.get(20, TimeUnit.SECONDS);
        assertTrue(ex instanceof IllegalStateException, "got " + ex);
        assertTrue(ex.getMessage().contains("SOFT") && ex.getMessage().contains("HARD"), ex.getMessage());
    }

    @Test
    void runCannotBeCalledFromAnotherThread() throws Exception {
        final RtThread thread = RtThread.start("own-run", RtContext.NON_RT, RtThread.NO_PIN, () -> {});
        thread.join(TimeUnit.SECONDS.toMillis(20));
        assertThrows(IllegalStateException.class, thread::run);
    }
}
