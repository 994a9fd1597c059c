package io.rtsem.latency.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.latency.run.JvmEventLog.JvmEvent;
import io.rtsem.latency.run.JvmEventLog.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GC stops come from the pauses (jdk.GCPhasePause) when JFR records, never from a whole collection (which for G1 or
 * ZGC spans concurrent phases) nor from GC notifications; without JFR the notifications are the only source.
 */
class JvmEventLogTest {

    @Test
    void withJfrGcStopsAreThePausesOnly() throws IOException {
        Path jfr = Files.createTempFile("rtsem-gc", ".jfr");
        JvmEventLog log = new JvmEventLog(true);
        List<JvmEvent> events;
        try {
            assertNull(log.jfrProblem());
            System.gc();
            System.gc();
            events = log.stop(jfr);
        } finally {
            log.close();
            Files.deleteIfExists(jfr);
        }
        List<JvmEvent> gc = events.stream().filter(e -> e.kind() == Kind.GC).toList();
        assertTrue(gc.size() >= 2, "a pause per System.gc(): " + gc);
        for (JvmEvent e : gc) {
            assertTrue(
                    e.detail().startsWith("GC pause ") && e.detail().contains(" of "),
                    "a pause of a named " + "collection: " + e.detail());
        }
        assertFalse(
                events.stream().anyMatch(e -> e.kind() == Kind.GC_NOTIFICATION),
                "no GC notification when JFR has the pauses");
    }

    @Test
    void withoutJfrGcNotificationsAreTheSource() throws IOException, InterruptedException {
        JvmEventLog log = new JvmEventLog(false);
        List<JvmEvent> events;
        try {
            System.gc();
            for (int i = 0; i < 500 && log.notificationCount() == 0; i++) {
                Thread.sleep(10); // the notification comes on the JVM's notification thread, shortly after
            }
            events = log.stop(Path.of("unused.jfr"));
        } finally {
            log.close();
        }
        assertTrue(events.stream().anyMatch(e -> e.kind() == Kind.GC_NOTIFICATION), events.toString());
        assertFalse(events.stream().anyMatch(e -> e.kind() == Kind.GC), events.toString());
    }
}
