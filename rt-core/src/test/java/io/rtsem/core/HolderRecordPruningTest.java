package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE P7a: a thread's holder record and a semaphore's holder list stay bounded however many semaphores a
 * thread uses, and a holding with permits still held is never dropped. Each case runs on a fresh thread, so its
 * record holds only what the case did.
 */
class HolderRecordPruningTest {
    private ExecutorService thread;

    @BeforeAll
    static void armAsARealTimeThreadWould() {
        Holders.arm(); // P1: holds are recorded once a SOFT or HARD thread exists
    }

    @BeforeEach
    void freshThread() {
        thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "holder"));
    }

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    private <T> T onHolder(Callable<T> body) throws Exception {
        return thread.submit(body).get();
    }

    private static List<RtSemaphore> semaphores(int n) {
        final List<RtSemaphore> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(RtSemaphore.builder().permits(1).priorityBoost(true).build());
        }
        return all;
    }

    @Test
    void aThreadThatUsedManySemaphoresKeepsABoundedRecordAndEachListForgetsIt() throws Exception {
        final List<RtSemaphore> all = semaphores(100);
        final int kept = onHolder(() -> {
            for (final RtSemaphore s : all) {
                s.acquire();
                s.release();
            }
            return HolderRecord.current().holdingCount();
        });
        assertTrue(kept <= HolderRecord.PRUNE_AT, "holdings kept after 100 semaphores: " + kept);
        int listed = 0;
        for (final RtSemaphore s : all) {
            listed += s.holders.size();
        }
        assertEquals(kept, listed, "a semaphore lists the thread exactly while the thread's record keeps the holding");
    }

    @Test
    void aThreadUsingFewSemaphoresKeepsItsHoldingsAndAllocatesNoNewOnes() throws Exception {
        final List<RtSemaphore> few = semaphores(HolderRecord.PRUNE_AT);
        final List<Holding> first = new ArrayList<>();
        onHolder(() -> {
            for (final RtSemaphore s : few) {
                s.acquire();
                s.release();
            }
            for (final RtSemaphore s : few) {
                first.add(HolderRecord.current().find(s.holders));
            }
            for (int round = 0; round < 3; round++) {
                for (final RtSemaphore s : few) {
                    s.acquire();
                    s.release();
                }
            }
            for (int i = 0; i < few.size(); i++) {
                assertTrue(first.get(i) == HolderRecord.current().find(few.get(i).holders), "holding " + i + " reused");
            }
            return null;
        });
    }

    @Test
    void aHoldingStillHeldIsNeverDropped() throws Exception {
        final RtSemaphore held =
                RtSemaphore.builder().permits(1).priorityBoost(true).build();
        final List<RtSemaphore> others = semaphores(50);
        final Holding holding = onHolder(() -> {
            held.acquire();
            for (final RtSemaphore s : others) {
                s.acquire();
                s.release();
            }
            return HolderRecord.current().find(held.holders);
        });
        assertNotNull(holding, "the holding of the semaphore still held was dropped");
        assertEquals(1, holding.held());
        assertEquals(1, held.holders.size(), "a booster must still find the holder");
        onHolder(() -> {
            held.release();
            for (final RtSemaphore s : others) {
                s.acquire();
                s.release();
            }
            assertNull(HolderRecord.current().find(held.holders), "released, it is pruned like the others");
            return null;
        });
        assertEquals(0, held.holders.size());
    }

    /**
     * Pruning while a booster boosts and withdraws the holdings it finds in the semaphores' lists: afterwards the
     * record and the lists agree (a holding kept by the record is listed by its semaphore, and a holding of this
     * thread listed by a semaphore is kept by the record), and no holding is left boosted. Judging a holding twice
     * (once to keep, once to delist) could keep it in the record but delist it, hiding a later hold from boosters.
     */
    @Test
    void pruningWhileABoosterWorksLeavesRecordAndListsInAgreement() throws Exception {
        final List<RtSemaphore> all = semaphores(3 * HolderRecord.PRUNE_AT);
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final Thread booster = new Thread(() -> {
            while (!stop.get()) {
                for (final RtSemaphore s : all) {
                    for (final Holding h : s.holders.listed()) {
                        h.record.boost(h, 10);
                        h.record.withdraw(h);
                    }
                }
            }
        });
        booster.start();
        final HolderRecord record;
        try {
            record = onHolder(() -> {
                final long until = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < until) {
                    for (final RtSemaphore s : all) {
                        s.acquire();
                        s.release();
                    }
                }
                return HolderRecord.current();
            });
        } finally {
            stop.set(true);
            booster.join();
        }
        final java.util.Set<Holding> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        kept.addAll(List.of(record.kept()));
        for (final Holding h : kept) {
            assertTrue(List.of(h.holders.listed()).contains(h), "a holding the record keeps is not listed");
            assertEquals(0, h.boost, "a holding left boosted");
        }
        for (final RtSemaphore s : all) {
            for (final Holding h : s.holders.listed()) {
                if (h.record == record) {
                    assertTrue(kept.contains(h), "a listed holding of the thread is not in its record");
                }
            }
        }
    }
}
