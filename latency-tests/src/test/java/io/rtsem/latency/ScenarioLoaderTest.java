package io.rtsem.latency;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.config.Role;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.ScenarioLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ScenarioLoaderTest {
    private static final String VALID = """
        scenario: t
        duration: 2s
        semaphore: { permits: 1, max-permits: 2 }
        threads:
          - { name: a, context: HARD, cpu: 1, role: acquirer, rate-hz: 1000, hold: 5us }
          - { name: b, context: NON_RT, cpu: none, role: bookkeeper, rate-hz: 10, allocate-bytes: 64 }
        budgets:
          HARD: { p50: 5, p99.9: 100, max: 1000 }
        """;

    private final ScenarioLoader loader = new ScenarioLoader(2);

    private ConfigException reject(String yaml) {
        return assertThrows(ConfigException.class, () -> loader.parse("configs/x.yaml", yaml));
    }

    @Test
    void everyShippedScenarioValidates() throws IOException, ConfigException {
        List<Path> files;
        try (Stream<Path> s = Files.list(CliRun.root().resolve("configs"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        assertTrue(files.size() >= 5, "configs/ ships at least five scenarios: " + files);
        for (Path f : files) {
            Scenario sc = loader.load(f);
            // plannedNanos() is computed from the file's durations (nothing is timed here): a scenario that a user
            // runs as it is must stay about 20 s on this 2-CPU machine.
            assertTrue(sc.plannedNanos() <= 25_000_000_000L, f + " plans at most about 20 s");
            long pinnedSpinners = sc.threads().stream().filter(t -> t.pinnedToFixedCpu() && t.context() != RtContext.NON_RT).count();
            assertTrue(pinnedSpinners <= 2, f + " pins at most two spinners on this 2-CPU machine");
        }
        assertTrue(loader.load(CliRun.root().resolve("configs/smoke.yaml")).plannedNanos() < 5_000_000_000L,
            "smoke.yaml runs under 5 s");
    }

    @Test
    void validScenarioReadsEveryKeyWithItsUnit() throws ConfigException {
        Scenario sc = loader.parse("configs/x.yaml", VALID);
        assertEquals(2_000_000_000L, sc.durationNanos());
        assertEquals(2, sc.threads().size());
        assertEquals(1, sc.threads().get(0).cpu());
        assertEquals(RtThread.NO_PIN, sc.threads().get(1).cpu());
        assertEquals(Role.BOOKKEEPER, sc.threads().get(1).role());
        assertEquals(1_000_000L, sc.threads().get(0).periodNanos());
        assertEquals(5_000L, sc.threads().get(0).holdNanos());
        assertEquals(100_000L, sc.budgets().get(RtContext.HARD).p999Nanos());
        assertEquals(1_000_000L, sc.semaphore().maxBypassNanos(), "rtsem's default starvation bound");
        assertEquals(1_000_000L, sc.semaphore().parkFallbackNanos(), "rtsem's default park fallback");
        Scenario tuned = loader.parse("configs/x.yaml", VALID.replace("max-permits: 2 }",
            "max-permits: 2, max-bypass: 20ms, park-fallback: 250us }"));
        assertEquals(20_000_000L, tuned.semaphore().maxBypassNanos());
        assertEquals(250_000L, tuned.semaphore().parkFallbackNanos());
    }

    @Test
    void unknownKeyNamesFileKeyAndTheKeysExpected() {
        ConfigException e = reject(VALID.replace("hold: 5us", "hold: 5us, hodl: 3"));
        assertEquals("threads[0].hodl", e.key());
        assertTrue(e.getMessage().startsWith("configs/x.yaml: threads[0].hodl: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("hold"), "lists the keys expected: " + e.getMessage());
    }

    @Test
    void wrongTypeSaysWhatWasExpected() {
        ConfigException e = reject(VALID.replace("cpu: 1,", "cpu: two,"));
        assertEquals("threads[0].cpu", e.key());
        assertTrue(e.getMessage().contains("expected a CPU number, \"any\" or \"none\""), e.getMessage());
        ConfigException d = reject(VALID.replace("duration: 2s", "duration: 2"));
        assertEquals("duration", d.key());
        assertTrue(d.getMessage().contains("duration with a unit"), d.getMessage());
    }

    @Test
    void impossibleValuesAreRejected() {
        assertEquals("budgets.HARD.p99.9", reject(VALID.replace("p99.9: 100", "p99.9: 2")).key(),
            "a p99.9 budget below p50 is impossible");
        assertEquals("threads[0].cpu", reject(VALID.replace("cpu: 1,", "cpu: 7,")).key(), "no CPU 7 on 2 CPUs");
        assertEquals("threads[0].hold", reject(VALID.replace("hold: 5us", "hold: 2ms")).key(),
            "a hold longer than the 1 ms period");
        assertEquals("threads[1].context", reject(VALID.replace("context: NON_RT", "context: SOFT")).key(),
            "a bookkeeper goes through the bridge, so it is NON_RT");
        assertEquals("semaphore.strategies.HARD", reject(VALID.replace("max-permits: 2 }",
            "max-permits: 2, strategies: { HARD: park } }")).key(), "HARD waiters may only spin");
        assertEquals("budgets.SOFT", reject(VALID + "  SOFT: { p50: 1 }\n").key(), "nobody waits in SOFT");
        ConfigException bypass = reject(VALID.replace("max-permits: 2 }", "max-permits: 2, max-bypass: 0ms }"));
        assertEquals("semaphore.max-bypass", bypass.key());
        assertTrue(bypass.getMessage().contains("between 1us and 60s"), bypass.getMessage());
        assertEquals("semaphore.park-fallback", reject(VALID.replace("max-permits: 2 }",
            "max-permits: 2, park-fallback: 5 }")).key(), "a duration needs its unit");
    }

    @Test
    void twoSpinnersOnOneCpuAreRejected() {
        String yaml = VALID.replace("  - { name: b,", "  - { name: c, context: SOFT, cpu: 1, role: acquirer, rate-hz: 100 }\n  - { name: b,");
        ConfigException e = reject(yaml);
        assertEquals("threads[1].cpu", e.key());
        assertTrue(e.getMessage().contains("already given to spinning thread \"a\""), e.getMessage());
    }

    @Test
    void anyCpuSpinnersCountAgainstTheCpus() {
        String yaml = VALID.replace("  - { name: b,", "  - { name: c, context: SOFT, cpu: any, role: acquirer, rate-hz: 100 }\n"
            + "  - { name: d, context: HARD, cpu: any, role: acquirer, rate-hz: 100 }\n  - { name: b,");
        ConfigException e = reject(yaml);
        assertEquals("threads", e.key());
        assertTrue(e.getMessage().contains("at most 2 pinned HARD/SOFT threads") && e.getMessage().contains("[c, d]"),
            e.getMessage());
        assertEquals(RtThread.ANY_CPU, assertDoesNotThrow(() -> loader.parse("configs/x.yaml",
            VALID.replace("  - { name: b,", "  - { name: c, context: SOFT, cpu: any, role: acquirer, rate-hz: 100 }\n"
                + "  - { name: b,"))).threads().get(1).cpu(), "one fixed and one any spinner fit on 2 CPUs");
    }

    @Test
    void noInitialPermitsAndNoReleaserIsRejected() {
        ConfigException e = reject(VALID.replace("permits: 1, max-permits: 2", "permits: 0, max-permits: 2"));
        assertEquals("semaphore.permits", e.key());
        assertTrue(e.getMessage().contains("every acquirer would wait forever"), e.getMessage());
    }

    @Test
    void consumerWithoutReleaserIsRejected() {
        ConfigException e = reject(VALID.replace("hold: 5us }", "hold: 5us, releases: none }"));
        assertEquals("threads[0].releases", e.key());
    }

    @Test
    void duplicateKeysAreAnErrorNamingFileAndKey() {
        ConfigException top = reject(VALID.replace("duration: 2s\n", "duration: 2s\nduration: 3s\n"));
        assertTrue(top.getMessage().startsWith("configs/x.yaml: duration: duplicate key"), top.getMessage());
        ConfigException nested = reject(VALID.replace("hold: 5us }", "hold: 5us, hold: 6us }"));
        assertTrue(nested.getMessage().startsWith("configs/x.yaml: ") && nested.key().endsWith("hold")
            && nested.getMessage().contains("duplicate key"), nested.getMessage());
        System.out.println("duplicate keys: " + top.getMessage() + " | " + nested.getMessage());
    }

    @Test
    void brokenYamlNamesTheFileAndLine() {
        ConfigException e = reject("threads: [ { name: a\n");
        assertTrue(e.getMessage().startsWith("configs/x.yaml: not valid YAML"), e.getMessage());
    }
}
