package io.rtsem.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RtContextTest {
    @Test
    void ordinaryThreadsAreNonRtAndScopesNestAndUndo() throws Exception {
        ContextThreads.call(RtContext.NON_RT, () -> null); // warm the helper
        final Thread thread = new Thread(() -> {});
        assertEquals(RtContext.NON_RT, RtContext.current());
        try (RtContext.Scope outer = RtContext.enter(RtContext.SOFT)) {
            assertEquals(RtContext.SOFT, RtContext.current());
            try (RtContext.Scope inner = RtContext.enter(RtContext.HARD)) {
                assertEquals(RtContext.HARD, RtContext.current());
            }
            assertEquals(RtContext.SOFT, RtContext.current());
        }
        assertEquals(RtContext.NON_RT, RtContext.current());
        thread.start();
        thread.join();
    }

    @Test
    void aScopeIsClosedOnItsOwnThreadOnly() throws Exception {
        final RtContext.Scope scope = ContextThreads.start(RtContext.NON_RT, () -> RtContext.enter(RtContext.SOFT))
                .get();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, scope::close);
        assertEquals(true, ex.getMessage().contains("SOFT"), ex.getMessage());
    }
}
