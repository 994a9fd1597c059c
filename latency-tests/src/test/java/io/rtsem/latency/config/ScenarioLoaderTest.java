package io.rtsem.latency.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtThread;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

    /** The repository root (set by Surefire as {@code rtsem.root}). */
    private static Path root() {
        return Path.of(System.getProperty("rtsem.root", "..")).toAbsolutePath().normalize();
    }

    private ConfigException reject(String yaml) {
        return assertThrows(ConfigException.class, () -> loader.parse("configs/x.yaml", yaml));
    }

    /** Rejects {@code yaml} at {@code key} with a message that contains {@code part}. */
    private void rejectedAt(String yaml, String key, String part) {
        ConfigException e = reject(yaml);
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void everyShippedScenarioValidates() throws IOException, ConfigException {
        List<Path> files;
        try (Stream<Path> s = Files.list(root().resolve("configs"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        assertTrue(files.size() >= 5, "configs/ ships at least five scenarios: " + files);
        for (Path f : files) {
            Scenario sc = loader.load(f);
            // plannedNanos() is computed from the file's durations (nothing is timed here): a scenario that a user
            // runs as it is must stay about 20 s on this 2-CPU machine.
            assertTrue(sc.plannedNanos() <= 25_000_000_000L, f + " plans at most about 20 s");
            long pinnedSpinners = sc.threads().stream()
                    .filter(t -> t.pinnedToFixedCpu() && t.context() != RtContext.NON_RT)
                    .count();
            assertTrue(pinnedSpinners <= 2, f + " pins at most two spinners on this 2-CPU machine");
        }
        assertTrue(
                loader.load(root().resolve("configs/smoke.yaml")).plannedNanos() < 5_000_000_000L,
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
        Scenario tuned = loader.parse(
                "configs/x.yaml",
                VALID.replace("max-permits: 2 }", "max-permits: 2, max-bypass: 20ms, park-fallback: 250us }"));
        assertEquals(20_000_000L, tuned.semaphore().maxBypassNanos());
        assertEquals(250_000L, tuned.semaphore().parkFallbackNanos());
    }

    @Test
    void sliceDefaultsTo100msAtMostTheDurationAndIsCheckedAgainstIt() throws ConfigException {
        assertEquals(100_000_000L, loader.parse("configs/x.yaml", VALID).sliceNanos(), "the default slice");
        assertEquals(
                50_000_000L,
                loader.parse("configs/x.yaml", VALID.replace("duration: 2s", "duration: 50ms"))
                        .sliceNanos(),
                "no longer than the duration");
        assertEquals(
                250_000_000L,
                loader.parse("configs/x.yaml", "slice: 250ms\n" + VALID).sliceNanos());
        ConfigException longer = reject("slice: 3s\n" + VALID);
        assertEquals("slice", longer.key());
        assertEquals("configs/x.yaml: slice: expected a duration between 1ms and 2s, got 3s", longer.getMessage());
        ConfigException tiny = reject("slice: 10us\n" + VALID);
        assertEquals("configs/x.yaml: slice: expected a duration between 1ms and 2s, got 10us", tiny.getMessage());
        ConfigException unitless = reject("slice: 100\n" + VALID);
        assertTrue(
                unitless.getMessage().startsWith("configs/x.yaml: slice: expected a duration with a unit"),
                unitless.getMessage());
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
        assertEquals(
                "budgets.HARD.p99.9",
                reject(VALID.replace("p99.9: 100", "p99.9: 2")).key(),
                "a p99.9 budget below p50 is impossible");
        assertEquals(
                "threads[0].cpu", reject(VALID.replace("cpu: 1,", "cpu: 7,")).key(), "no CPU 7 on 2 CPUs");
        assertEquals(
                "threads[0].hold",
                reject(VALID.replace("hold: 5us", "hold: 2ms")).key(),
                "a hold longer than the 1 ms period");
        assertEquals(
                "threads[1].context",
                reject(VALID.replace("context: NON_RT", "context: SOFT")).key(),
                "a bookkeeper goes through the bridge, so it is NON_RT");
        assertEquals(
                "semaphore.strategies.HARD",
                reject(VALID.replace("max-permits: 2 }", "max-permits: 2, strategies: { HARD: park } }"))
                        .key(),
                "HARD waiters may only spin");
        assertEquals("budgets.SOFT", reject(VALID + "  SOFT: { p50: 1 }\n").key(), "nobody waits in SOFT");
        ConfigException bypass = reject(VALID.replace("max-permits: 2 }", "max-permits: 2, max-bypass: 0ms }"));
        assertEquals("semaphore.max-bypass", bypass.key());
        assertTrue(bypass.getMessage().contains("between 1us and 60s"), bypass.getMessage());
        assertEquals(
                "semaphore.park-fallback",
                reject(VALID.replace("max-permits: 2 }", "max-permits: 2, park-fallback: 5 }"))
                        .key(),
                "a duration needs its unit");
    }

    private static final String HOG =
            "  - { name: hog, context: NON_RT, cpu: none, role: hog, rate-hz: 10, busy: 20ms, scheduling: fifo:30 }\n";

    @Test
    void aHogRunsBusyEachPeriodNeverWaitsAndHasNoBudget() throws ConfigException {
        Scenario sc = loader.parse("configs/x.yaml", VALID.replace("budgets:", HOG + "budgets:"));
        ThreadSpec hog = sc.threads().get(2);
        assertEquals(Role.HOG, hog.role());
        assertEquals(100_000_000L, hog.periodNanos());
        assertEquals(20_000_000L, hog.holdNanos(), "busy is kept where the others keep their hold");
        assertEquals("fifo:30", ThreadSpec.schedulingText(hog.scheduling()));
        assertEquals(false, hog.waits(), "a hog never touches the semaphore");
        assertEquals(false, hog.releasesOwn());
        assertEquals(java.util.Set.of(RtContext.HARD, RtContext.NON_RT), sc.waitingContexts());
    }

    @Test
    void aHogIsRejectedWithoutItsBusyTimeOrWithTheSemaphoresKeys() {
        String base = VALID.replace("budgets:", HOG + "budgets:");
        rejectedAt(base.replace(", busy: 20ms", ""), "threads[2].busy", "missing");
        rejectedAt(base.replace("busy: 20ms", "busy: 100ms"), "threads[2].busy", "shorter than the period (100000 us");
        rejectedAt(
                base.replace("rate-hz: 10, busy", "rate-hz: max, busy"),
                "threads[2].rate-hz",
                "a hog needs a fixed rate");
        for (String key : List.of("hold: 1ms", "permits: 1", "releases: self", "allocate-bytes: 8")) {
            rejectedAt(
                    base.replace("busy: 20ms", "busy: 20ms, " + key),
                    "threads[2]." + key.substring(0, key.indexOf(':')),
                    "a hog never touches the semaphore");
        }
        rejectedAt(
                VALID.replace("hold: 5us }", "hold: 5us, busy: 1ms }"), "threads[0].busy", "only a hog has this key");
        rejectedAt(
                VALID.replace("role: acquirer", "role: hogg"),
                "threads[0].role",
                "expected acquirer, releaser, bookkeeper or hog, got \"hogg\"");
        rejectedAt(
                "threads:\n  - { name: hog, context: NON_RT, role: hog, rate-hz: 10, busy: 1ms }\n",
                "threads",
                "nobody waits");
    }

    @Test
    void theBridgesWakeSchedulingIsReadAndNeedsANonRtThread() throws ConfigException {
        assertEquals(null, loader.parse("configs/x.yaml", VALID).semaphore().wakeScheduling(), "absent: default");
        String fifo = VALID.replace("max-permits: 2 }", "max-permits: 2, wake-scheduling: fifo:45/prefer }");
        assertEquals(
                "fifo:45/prefer",
                ThreadSpec.schedulingText(
                        loader.parse("configs/x.yaml", fifo).semaphore().wakeScheduling()));
        rejectedAt(fifo.replace("fifo:45/prefer", "fifo:100"), "semaphore.wake-scheduling", "fifo:100");
        rejectedAt(
                fifo.replace("context: NON_RT, cpu: none, role: bookkeeper", "context: SOFT, cpu: none, role: acquirer")
                        .replace(", allocate-bytes: 64", ""),
                "semaphore.wake-scheduling",
                "only when a NON_RT thread runs");
    }

    @Test
    void twoSpinnersOnOneCpuAreRejected() {
        String yaml = VALID.replace(
                "  - { name: b,",
                "  - { name: c, context: SOFT, cpu: 1, role: acquirer, rate-hz: 100 }\n  - { name: b,");
        ConfigException e = reject(yaml);
        assertEquals("threads[1].cpu", e.key());
        assertTrue(e.getMessage().contains("already given to spinning thread \"a\""), e.getMessage());
    }

    @Test
    void anyCpuSpinnersCountAgainstTheCpus() {
        String yaml = VALID.replace(
                "  - { name: b,",
                "  - { name: c, context: SOFT, cpu: any, role: acquirer, rate-hz: 100 }\n"
                        + "  - { name: d, context: HARD, cpu: any, role: acquirer, rate-hz: 100 }\n  - { name: b,");
        ConfigException e = reject(yaml);
        assertEquals("threads", e.key());
        assertTrue(
                e.getMessage().contains("at most 2 pinned HARD/SOFT threads")
                        && e.getMessage().contains("[c, d]"),
                e.getMessage());
        assertEquals(
                RtThread.ANY_CPU,
                assertDoesNotThrow(() -> loader.parse(
                                "configs/x.yaml",
                                VALID.replace(
                                        "  - { name: b,",
                                        "  - { name: c, context: SOFT, cpu: any, role: acquirer, rate-hz: 100 }\n"
                                                + "  - { name: b,")))
                        .threads()
                        .get(1)
                        .cpu(),
                "one fixed and one any spinner fit on 2 CPUs");
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
        assertTrue(
                nested.getMessage().startsWith("configs/x.yaml: ")
                        && nested.key().endsWith("hold")
                        && nested.getMessage().contains("duplicate key"),
                nested.getMessage());
        System.out.println("duplicate keys: " + top.getMessage() + " | " + nested.getMessage());
    }

    @Test
    void brokenYamlNamesTheFileAndLine() {
        ConfigException e = reject("threads: [ { name: a\n");
        assertTrue(e.getMessage().startsWith("configs/x.yaml: not valid YAML"), e.getMessage());
    }

    // Regression examples of what ScenarioFuzzTest found (each shrunk from a mutated shipped scenario).

    @Test
    void yamlSyntaxErrorsAreOneLineWithLineAndColumn() {
        // was SnakeYAML's own message: several lines, quoting the file's text with a caret under the column
        ConfigException e = reject(VALID.replace("duration: 2s\n", "duration: 2s\n  permits: 2\n"));
        assertEquals(
                "configs/x.yaml: not valid YAML: mapping values are not allowed here (line 3, column 10)",
                e.getMessage());
    }

    @Test
    void controlAndInvisibleCharactersQuotedBackAreEscaped() {
        // was: the NUL, the escape sequence (it clears a terminal) and the right-to-left override printed as they are
        ConfigException e = reject(VALID.replace("scenario: t", "scenario: \"a\\x00b\\e[2J\u202ec\\nd\""));
        assertEquals("scenario", e.key());
        assertTrue(e.getMessage().endsWith("got \"a\\u0000b\\u001B[2J\\u202Ec\\nd\""), e.getMessage());
        ConfigException nul = reject("\u0000");
        assertEquals(
                "configs/x.yaml: not valid YAML: character U+0000 at offset 0 (line 1) is not allowed in YAML",
                nul.getMessage());
    }

    @Test
    void aSecondYamlDocumentIsAnErrorNotIgnored() {
        // was: a valid scenario from the first document; budgets (or any key) after '---' silently dropped
        ConfigException e = reject(VALID.replace("budgets:", "---\nbudgets:"));
        assertTrue(e.getMessage().startsWith("configs/x.yaml: more than one YAML document"), e.getMessage());
        ConfigException end = reject(VALID.replace("budgets:", "...\n  - { name: c }\nbudgets:"));
        assertTrue(end.getMessage().startsWith("configs/x.yaml: not valid YAML"), end.getMessage());
        assertDoesNotThrow(
                () -> loader.parse("configs/x.yaml", "---\n" + VALID + "...\n"),
                "one document with its explicit start and end markers");
    }

    @Test
    void integersTooLargeForTheirTypeAreRejectedNotWrapped() {
        // was: 2^64 + 1 read as 1 permit, 2^32 + 1 as CPU 1 (the low bits of the number)
        ConfigException permits =
                reject(VALID.replace("permits: 1, max-permits: 2", "permits: 18446744073709551617, max-permits: 2"));
        assertEquals("semaphore.permits", permits.key());
        assertTrue(permits.getMessage().contains("got number 18446744073709551617"), permits.getMessage());
        ConfigException cpu = reject(VALID.replace("cpu: 1,", "cpu: 4294967297,"));
        assertEquals("threads[0].cpu", cpu.key());
        assertTrue(cpu.getMessage().endsWith("got 4294967297"), cpu.getMessage());
        assertEquals(
                "threads[1].allocate-bytes",
                reject(VALID.replace("allocate-bytes: 64", "allocate-bytes: 9223372036854775808"))
                        .key());
    }

    @Test
    void aYamlAliasIsAnErrorNotItsName() {
        // found by ScenarioFuzzTest's full mode (19115 tries): "scenario: *a" named the scenario "a" (Jackson reads an
        // alias as its name, defined anchor or not)
        ConfigException e = reject(VALID.replace("scenario: t", "scenario: *a"));
        assertEquals(
                "configs/x.yaml: a YAML alias (*a) at line 1: aliases are not supported in scenario files (they "
                        + "would be read as their name); write the value itself",
                e.getMessage());
        ConfigException defined = reject(
                VALID.replace("hold: 5us }", "hold: &h 5us }").replace("rate-hz: 10,", "rate-hz: 10, hold: *h,"));
        assertTrue(defined.getMessage().contains("a YAML alias (*h) at line 6"), defined.getMessage());
    }

    @Test
    void aBudgetUnderOneNanosecondIsRejected() {
        // found by ScenarioFuzzTest once Budget checked its limits: 1e-7 us rounded to a 0 ns budget, which Budget's
        // constructor refused with an IllegalArgumentException (exit 3); before that check, a budget nobody meets
        ConfigException e = reject(VALID.replace("p50: 5,", "p50: 0.0000001,"));
        assertEquals("budgets.HARD.p50", e.key());
        assertTrue(
                e.getMessage()
                        .endsWith("expected a positive number of microseconds, at least 0.001 (1 ns), got "
                                + "number 1.0E-7"),
                e.getMessage());
    }

    @Test
    void tooDeeplyNestedIsSaidInTheFilesTerms() {
        ConfigException e = reject(VALID.replace("duration: 2s", "duration: " + "[".repeat(1500) + "]".repeat(1500)));
        assertTrue(
                e.getMessage()
                        .startsWith("configs/x.yaml: not valid YAML: too large or too deeply nested: Document "
                                + "nesting depth (1001) exceeds the maximum allowed (1000)"),
                e.getMessage());
    }

    @Test
    void longValuesAreCutInMessages() {
        ConfigException e = reject(VALID.replace("name: a,", "name: " + "x".repeat(5000) + ","));
        assertEquals("threads[0].name", e.key());
        assertTrue(e.getMessage().endsWith("got \"" + "x".repeat(80) + "...\" (5000 characters)"), e.getMessage());
    }

    @Test
    void anEmptyKeyIsNamedAsSuch() {
        ConfigException e = reject(VALID + "\"\": 1\n");
        assertTrue(
                e.getMessage().startsWith("configs/x.yaml: unknown key \"\" (empty); expected one of"), e.getMessage());
    }

    @Test
    void aFileNameThatCannotBeTheScenarioNameNeedsTheKey() throws ConfigException {
        String unnamed = VALID.replace("scenario: t\n", "");
        assertEquals("my-loop", loader.parse("configs/my-loop.yaml", unnamed).name(), "the default: the file name");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("my loop.yaml", unnamed));
        assertEquals("scenario", e.key());
        assertTrue(
                e.getMessage().contains("missing, and the file name \"my loop\" cannot stand for it"), e.getMessage());
        // was a NullPointerException (a path without a file name) and an InvalidPathException (a NUL)
        assertEquals(
                "scenario",
                assertThrows(ConfigException.class, () -> loader.parse("/", unnamed))
                        .key());
        assertEquals(
                "scenario",
                assertThrows(ConfigException.class, () -> loader.parse("a\u0000.yaml", unnamed))
                        .key());
    }

    @Test
    void aFileThatIsNotUtf8NamesTheByteAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("latin1.yaml");
        Files.write(
                f,
                VALID.replace("scenario: t", "scenario: t\ndescription: caf\u00e9")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(f));
        assertEquals(
                f + ": not UTF-8 text: byte 0xE9 at offset 28 (line 2) is not valid UTF-8; expected a YAML file "
                        + "saved as UTF-8",
                e.getMessage());
    }

    @Test
    @Timeout(30)
    void anEndlessOrHugeFileIsRejectedWithoutReadingItAll(@TempDir Path dir) throws IOException {
        // was: Files.readString(/dev/zero) filling the heap, and a NoSuchFileException's class name in the message
        ConfigException zero = assertThrows(ConfigException.class, () -> loader.load(Path.of("/dev/zero")));
        assertEquals(
                "/dev/zero: larger than 1048576 bytes; a scenario file is a few kilobytes of YAML", zero.getMessage());
        assertEquals(
                dir.resolve("none.yaml") + ": cannot read the file: it does not exist",
                assertThrows(ConfigException.class, () -> loader.load(dir.resolve("none.yaml")))
                        .getMessage());
        assertEquals(
                dir + ": cannot read the file: it is a directory",
                assertThrows(ConfigException.class, () -> loader.load(dir)).getMessage());
    }
}
