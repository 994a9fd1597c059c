package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rtsem.latency.config.ConfigException;
import io.rtsem.latency.config.Scenario;
import io.rtsem.latency.config.ScenarioLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.statistics.Statistics;

/**
 * Every shipped scenario of {@code configs/}, mutated at random (truncated, lines deleted, duplicated (duplicate
 * keys) or swapped, values replaced by wrong types, huge, negative or odd numbers, unknown keys, binary junk, invalid
 * UTF-8, deep nesting, unicode, indentation, an empty file), goes through what {@code ./rtsem validate FILE} does
 * before it measures: {@link ScenarioLoader#load} (the loader the command uses, against this machine's CPUs), and,
 * when it rejects the file, the command line itself in this JVM ({@link CliRun}). The property: the loader either
 * returns a scenario (a mutant that is still valid; it is not run) or throws a {@link ConfigException} whose message
 * starts with the file name, within 10 s; for a rejected file the command exits 2, prints one message that starts
 * with the file name, has no control characters, and no stack trace. Anything else (another exception, a hang, exit
 * 3) fails, and jqwik shrinks the mutations to the fewest and simplest that still fail.
 *
 * <p>Quick mode (the build): {@value #QUICK_TRIES} tries, a few seconds. Full mode, more tries:
 * <pre>
 * flock /tmp/rtsem-build.lock ./mvnw -B -ntp -o -pl latency-tests -am test -Dtest=ScenarioFuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Drtsem.fuzz.tries=100000
 * </pre>
 * (Surefire passes {@code -D} properties of the Maven command line to the test JVM; {@link FuzzTries} reads
 * {@code rtsem.fuzz.tries}.) A failure prints jqwik's seed; add {@code -Djqwik.seeds.whenfixed=ALLOW} and
 * {@code @Property(seed = "...")} to replay it. Fixed crashes and messages keep a plain example test each in
 * {@code ScenarioLoaderTest} and {@code ExitCodesTest}.
 */
class ScenarioFuzzTest {
    /** Tries of the quick mode: about 6 s on 2 cores. */
    static final int QUICK_TRIES = 1000;
    /** A mutant that takes longer than this to load or reject is a hang. */
    private static final long TIMEOUT_SECONDS = 10;

    private static final Path DIR = Path.of("target", "rtsem-test", "fuzz").toAbsolutePath();
    private static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scenario-fuzz");
        t.setDaemon(true);
        return t;
    });
    /** A Java stack trace line, or the header of an uncaught exception. */
    private static final Pattern STACK_TRACE = Pattern.compile(
            "(?m)^\\s+at [\\w$.]+\\(|Exception in thread|^Caused by: |\\bjava\\.lang\\.\\w+(Exception|Error)\\b");

    /** Sets the property's tries from {@code -Drtsem.fuzz.tries=N} (the full mode); the quick mode without it. */
    static final class FuzzTries implements AroundPropertyHook {
        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            Integer tries = Integer.getInteger("rtsem.fuzz.tries");
            if (tries != null) {
                if (tries < 1) {
                    throw new IllegalArgumentException("rtsem.fuzz.tries must be at least 1, got " + tries);
                }
                context.attributes().setTries(tries);
            }
            return property.execute();
        }
    }

    /** What a mutation does. */
    enum Op {
        /** Cut the file at a byte offset. */
        TRUNCATE,
        /** Delete a line. */
        DELETE_LINE,
        /** Repeat a line right after itself (duplicate keys, duplicate list items). */
        DUPLICATE_LINE,
        /** Swap two lines (keys moved to another mapping, indentation broken). */
        SWAP_LINES,
        /** Replace the value after a {@code key:} (block or flow style) with the payload: wrong types, odd values. */
        REPLACE_VALUE,
        /** Replace a run of digits (in numbers and durations) with a huge, negative or odd number. */
        REPLACE_NUMBER,
        /** Insert the payload as a line: unknown keys, a second document, stray structure. */
        INSERT_LINE,
        /** Insert the payload's chars as raw bytes: binary junk, invalid UTF-8, NUL, control characters. */
        INSERT_BYTES,
        /** Insert the payload as UTF-8 text anywhere: unicode in keys, values and indentation. */
        INSERT_UNICODE,
        /** Replace a value with nested lists or mappings, up to thousands deep. */
        DEEP_NEST,
        /** Shift a line's indentation. */
        INDENT,
        /** Replace the whole file with the payload (empty, blank, a comment, a lone scalar ...). */
        REPLACE_ALL
    }

    /**
     * One mutation; {@code a} and {@code b} are positions (taken modulo what they index) or sizes.
     *
     * @param op      what it does
     * @param a       first position or size
     * @param b       second position or size
     * @param payload text, bytes or a value, by {@code op}
     */
    record Mutation(Op op, int a, int b, String payload) {
        /**
         * @param bytes the file, one char per byte (ISO-8859-1), so that any byte sequence can be built
         * @return the mutated file, one char per byte
         */
        String apply(String bytes) {
            List<String> lines = new ArrayList<>(List.of(bytes.split("\n", -1)));
            int n = lines.size();
            switch (op) {
                case TRUNCATE:
                    return bytes.substring(0, a % (bytes.length() + 1));
                case DELETE_LINE:
                    lines.remove(a % n);
                    return String.join("\n", lines);
                case DUPLICATE_LINE:
                    lines.add(a % n + 1, lines.get(a % n));
                    return String.join("\n", lines);
                case SWAP_LINES: {
                    String x = lines.get(a % n);
                    lines.set(a % n, lines.get(b % n));
                    lines.set(b % n, x);
                    return String.join("\n", lines);
                }
                case REPLACE_VALUE:
                    return replaceNth(bytes, VALUE, a, utf8(payload));
                case REPLACE_NUMBER:
                    return replaceNth(bytes, DIGITS, a, utf8(payload));
                case INSERT_LINE:
                    lines.add(a % (n + 1), utf8(payload));
                    return String.join("\n", lines);
                case INSERT_BYTES: {
                    StringBuilder raw = new StringBuilder();
                    for (char c : payload.toCharArray()) {
                        raw.append((char) (c & 0xFF));
                    }
                    int at = a % (bytes.length() + 1);
                    return bytes.substring(0, at) + raw + bytes.substring(at);
                }
                case INSERT_UNICODE: {
                    int at = a % (bytes.length() + 1);
                    return bytes.substring(0, at) + utf8(payload) + bytes.substring(at);
                }
                case DEEP_NEST: {
                    int depth = 1 + b % 3000;
                    String nested = payload.equals("[")
                            ? "[".repeat(depth) + "1" + "]".repeat(depth)
                            : "{k: ".repeat(depth) + "1" + "}".repeat(depth);
                    return replaceNth(bytes, VALUE, a, nested);
                }
                case INDENT: {
                    int i = a % n;
                    String line = lines.get(i);
                    int shift = b % 7 - 3;
                    lines.set(
                            i,
                            shift >= 0
                                    ? " ".repeat(shift) + line
                                    : line.substring(Math.min(
                                            -shift,
                                            line.length() - line.stripLeading().length())));
                    return String.join("\n", lines);
                }
                case REPLACE_ALL:
                    return utf8(payload);
                default:
                    throw new IllegalStateException(op.name());
            }
        }

        /** The value after {@code key: } in block and flow style, up to a comma, bracket, brace, comment or newline. */
        private static final Pattern VALUE = Pattern.compile(":[ ]+([^,{}\\[\\]\\n#]+)");

        private static final Pattern DIGITS = Pattern.compile("([0-9]+)");

        private static String replaceNth(String s, Pattern p, int nth, String replacement) {
            List<int[]> spans = new ArrayList<>();
            Matcher m = p.matcher(s);
            while (m.find()) {
                spans.add(new int[] {m.start(1), m.end(1)});
            }
            if (spans.isEmpty()) {
                return s;
            }
            int[] span = spans.get(nth % spans.size());
            return s.substring(0, span[0]) + replacement + s.substring(span[1]);
        }

        /** @return the UTF-8 encoding of {@code text}, one char per byte */
        private static String utf8(String text) {
            return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        }
    }

    /** Values that break a type, a range or YAML itself. */
    private static final List<String> ODD_VALUES = List.of(
            "",
            "~",
            "null",
            "true",
            "no",
            "[]",
            "{}",
            "[1, 2]",
            "{a: 1}",
            "-1",
            "0",
            "-0",
            "1.5",
            "1e400",
            "-1e400",
            "99999999999999999999",
            "18446744073709551617",
            "4294967297",
            "4294967296",
            "2147483648",
            "-2147483649",
            "9223372036854775808",
            "0x7fffffff",
            "0b1",
            "1_000",
            ".inf",
            ".nan",
            "\"5\"",
            "'x'",
            "5us",
            "-5ms",
            "1e3s",
            "0ns",
            "0.0000001ms",
            "99999999999999s",
            "1.5.5s",
            "5 s",
            "5µs",
            "５s",
            "max",
            "any",
            "none",
            "HARD",
            "SOFT",
            "NON_RT",
            "busy-spin",
            "park",
            "self",
            "acquirer",
            "releaser",
            "bookkeeper",
            "&a 1",
            "*a",
            "!!binary aGk=",
            "!!float 1",
            "!!str 1",
            "!!int x",
            "!foo bar",
            "\"\\x00\"",
            "\"\\e[2J\"",
            "\"a\\nb\"",
            "é",
            "😀",
            "\u202e",
            "\u00a0",
            "x".repeat(300),
            "|\n  block",
            ">\n  folded",
            "? x",
            "- a",
            "a: b",
            "# c",
            "'",
            "\"",
            "`",
            "@",
            "%",
            "&",
            "*");
    /** Numbers for the digits of numbers and durations. */
    private static final List<String> ODD_NUMBERS = List.of(
            "0",
            "-1",
            "-0",
            "00",
            "1e3",
            "1e400",
            "NaN",
            "-5",
            "99999999999999999999",
            "18446744073709551617",
            "4294967297",
            "2147483648",
            "9223372036854775807",
            "9223372036854775808",
            "0.0000001",
            "1_0",
            "0x10",
            "1,5",
            "١",
            "");
    /** Lines to insert: unknown keys, a second document, stray structure. */
    private static final List<String> ODD_LINES = List.of(
            "bogus: 1",
            "  bogus: 1",
            "    bogus: 1",
            "- bogus",
            "---",
            "...",
            "--- \nthreads: []",
            "%YAML 1.2",
            "threads: []",
            "threads:",
            "budgets: {}",
            "budgets: { SOFT: { p50: 1 } }",
            "stall: { thread: nobody, at: 1ms, for: 1ms }",
            "  - { name: extra, context: HARD, cpu: 0, role: acquirer, rate-hz: 100 }",
            "  - { name: extra, context: SOFT, cpu: any, role: releaser, rate-hz: 100 }",
            "  - { name: extra, context: NON_RT, role: bookkeeper, rate-hz: 1, allocate-bytes: 99999999999 }",
            "scenario: x y",
            "!!binary",
            "&anchor",
            "*alias",
            "? complex",
            "<<: *a",
            "\t",
            "\"unterminated",
            "[",
            "{",
            "}",
            "]",
            ":",
            "- - - -",
            "  HARD: { p50: 1 }",
            "  SOFT: busy-spin",
            "semaphore: { permits: 0 }",
            "warmup: -1s",
            "duration: 0s",
            "interval: 1ns",
            "floor: 2h");

    /** The payloads that suit each operator (shrinking goes towards the first of each list, then shorter text). */
    private static Arbitrary<String> payloads(Op op) {
        Arbitrary<String> ascii = Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars(":-[]{},#&*!|>'\" \n")
                .ofMaxLength(20);
        Arbitrary<String> latin1 =
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(12);
        return switch (op) {
            case REPLACE_VALUE -> Arbitraries.oneOf(Arbitraries.of(ODD_VALUES), Arbitraries.of(ODD_NUMBERS), ascii);
            case REPLACE_NUMBER ->
                Arbitraries.oneOf(
                        Arbitraries.of(ODD_NUMBERS),
                        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(25));
            case INSERT_LINE -> Arbitraries.oneOf(Arbitraries.of(ODD_LINES), ascii);
            case INSERT_BYTES -> latin1;
            case INSERT_UNICODE -> Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8);
            case REPLACE_ALL -> Arbitraries.oneOf(Arbitraries.of(ODD_VALUES), Arbitraries.of(ODD_LINES), latin1);
            case DEEP_NEST -> Arbitraries.of("[", "{");
            default -> Arbitraries.just("");
        };
    }

    @Provide
    Arbitrary<Mutation> mutation() {
        return Arbitraries.of(Op.class)
                .flatMap(op -> Combinators.combine(
                                Arbitraries.integers().between(0, 1_000_000),
                                Arbitraries.integers().between(0, 1_000_000),
                                payloads(op))
                        .as((a, b, p) -> new Mutation(op, a, b, p)));
    }

    @Provide
    Arbitrary<String> shippedConfig() {
        try (Stream<Path> s = Files.list(CliRun.root().resolve("configs"))) {
            List<String> names = s.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml"))
                    .sorted()
                    .toList();
            assertTrue(names.size() >= 5, "configs/ ships at least five scenarios: " + names);
            return Arbitraries.of(names);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = QUICK_TRIES)
    @AddLifecycleHook(FuzzTries.class)
    void aMutatedScenarioIsValidOrRejectedWithExitTwoNamingTheFile(
            @ForAll("shippedConfig") String config,
            @ForAll @net.jqwik.api.constraints.Size(min = 1, max = 4) List<@From("mutation") Mutation> mutations)
            throws IOException, InterruptedException {
        String bytes = new String(
                Files.readAllBytes(CliRun.root().resolve("configs").resolve(config)), StandardCharsets.ISO_8859_1);
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        Files.createDirectories(DIR);
        Path file = DIR.resolve("mutant-" + config);
        Files.write(file, bytes.getBytes(StandardCharsets.ISO_8859_1));

        Object loaded = within(
                () -> {
                    try {
                        return new ScenarioLoader().load(file);
                    } catch (ConfigException e) {
                        return e;
                    }
                },
                "loading " + file);
        if (loaded instanceof Scenario sc) {
            // still valid: what the command would run (it is not run here); the loader's own invariants hold
            Statistics.collect("still valid");
            assertEquals(file.toString(), sc.file());
            assertFalse(sc.threads().isEmpty(), "a valid scenario has threads");
            assertTrue(
                    sc.durationNanos() > 0 && sc.floorNanos() > 0 && sc.intervalNanos() > 0 && sc.warmupNanos() >= 0,
                    "positive durations: " + sc);
            assertTrue(sc.plannedNanos() > 0, "planned time: " + sc.plannedNanos());
            assertSameAsTheFile(sc, new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            return;
        }
        Statistics.collect("rejected");
        ConfigException e = (ConfigException) loaded;
        assertEquals(file.toString(), e.file());
        assertTrue(e.getMessage().startsWith(file + ": "), "the message starts with the file: " + e.getMessage());
        assertPrintable(e.getMessage());

        CliRun run = within(
                () -> CliRun.of(
                        "validate",
                        file.toString(),
                        "-q",
                        "--out",
                        DIR.resolve("out-never-written").toString()),
                "./rtsem validate " + file);
        assertEquals(2, run.exitCode(), () -> "exit code; stderr: " + run.err());
        assertEquals("", run.out(), "nothing on stdout");
        assertTrue(run.err().startsWith("rtsem: invalid scenario: " + file + ": "), run.err());
        assertEquals(
                "rtsem: invalid scenario: " + e.getMessage() + System.lineSeparator(),
                run.err(),
                "the loader's message, once");
        assertFalse(STACK_TRACE.matcher(run.err()).find(), "no stack trace: " + run.err());
    }

    /**
     * A scenario the loader accepted says what the file says: one valid YAML document only (a second one would be
     * dropped unread; an alias to no anchor would be read as its name), and every integer it took (CPUs, permits,
     * bytes) is the file's number, not that number wrapped to an {@code int} or a {@code long}. The file is read again
     * by SnakeYAML and Jackson without the loader's checks.
     */
    static void assertSameAsTheFile(Scenario sc, String text) throws IOException {
        int documents = 0;
        try {
            for (org.yaml.snakeyaml.nodes.Node n :
                    new org.yaml.snakeyaml.Yaml().composeAll(new java.io.StringReader(text))) {
                documents += n == null ? 0 : 1;
            }
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            fail("accepted a file that SnakeYAML rejects (undefined alias, or invalid after its first document): "
                    + e.getMessage());
        }
        assertTrue(
                documents <= 1, "accepted a file of " + documents + " YAML documents; all but the first were ignored");
        com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(text);
        assertSameNumber(tree.path("semaphore").get("permits"), sc.semaphore().permits(), "semaphore.permits");
        assertSameNumber(
                tree.path("semaphore").get("max-permits"), sc.semaphore().maxPermits(), "semaphore.max-permits");
        for (int i = 0; i < sc.threads().size(); i++) {
            com.fasterxml.jackson.databind.JsonNode t = tree.path("threads").get(i);
            assertSameNumber(t.get("cpu"), sc.threads().get(i).cpu(), "threads[" + i + "].cpu");
            assertSameNumber(t.get("permits"), sc.threads().get(i).permits(), "threads[" + i + "].permits");
            assertSameNumber(
                    t.get("allocate-bytes"), sc.threads().get(i).allocateBytes(), "threads[" + i + "].allocate-bytes");
        }
    }

    private static void assertSameNumber(com.fasterxml.jackson.databind.JsonNode n, long loaded, String key) {
        if (n != null && n.isIntegralNumber()) {
            assertEquals(n.bigIntegerValue(), java.math.BigInteger.valueOf(loaded), key + " in the file and as loaded");
        }
    }

    /** One line, no control character (a file's NUL or ESC quoted back would reach the terminal as it is). */
    static void assertPrintable(String message) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c)) {
                fail("a control character U+" + String.format("%04X", (int) c) + " at " + i + " of: " + message);
            }
        }
    }

    /** Runs {@code task} on the fuzz thread; more than {@value #TIMEOUT_SECONDS} s is a hang. */
    private static <T> T within(Callable<T> task, String what) throws InterruptedException {
        Future<T> f = EXECUTOR.submit(task);
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return fail(what + " did not finish within " + TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            StringWriter trace = new StringWriter();
            e.getCause().printStackTrace(new PrintWriter(trace));
            return fail(what + " threw instead of a ConfigException: " + trace);
        }
    }

    @AfterContainer
    static void stopExecutor() {
        EXECUTOR.shutdownNow();
    }
}
