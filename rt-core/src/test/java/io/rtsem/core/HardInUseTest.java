package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link RtContext#hardInUse()}: false in a JVM where no thread has run as HARD (this class runs in its own JVM:
 * surefire does not reuse forks), true from the first HARD declaration on, and it stays true.
 */
class HardInUseTest {
    @Test
    void becomesTrueWithTheFirstHardThreadAndStays() {
        new RtSemaphore(1).tryAcquire(); // loading the semaphore (and priming its HARD paths) declares nothing
        try (RtContext.Scope soft = RtContext.enter(RtContext.SOFT)) {
            assertFalse(RtContext.hardInUse(), "SOFT is not HARD");
        }
        assertFalse(RtContext.hardInUse());
        try (RtContext.Scope hard = RtContext.enter(RtContext.HARD)) {
            assertTrue(RtContext.hardInUse());
        }
        assertTrue(RtContext.hardInUse(), "never goes back");
    }
}
