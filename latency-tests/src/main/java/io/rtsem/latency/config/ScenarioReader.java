package io.rtsem.latency.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
import io.rtsem.core.RtSemaphore;
import io.rtsem.core.RtThread;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates one scenario file's parsed YAML tree, section by section (top level, semaphore, threads, budgets, stall),
 * into a {@link Scenario}; every check names its key path. Used by {@link ScenarioLoader} once the text is a single
 * YAML document. NON_RT; allocates. One instance per file, one thread.
 */
final class ScenarioReader {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m)");
    private static final long MAX_PHASE_NANOS = 3_600_000_000_000L;

    private final String file;
    /** The number of CPUs that CPU numbers in files are checked against. */
    private final int availableCpus;

    /**
     * @param file          name used in messages and the default scenario name
     * @param availableCpus the number of CPUs that CPU numbers in files are checked against, at least 1
     */
    ScenarioReader(String file, int availableCpus) {
        this.file = file;
        this.availableCpus = availableCpus;
    }

    private ConfigException error(String key, String problem) {
        return new ConfigException(file, key, problem);
    }

    private ObjectNode mapping(JsonNode node, String key, Set<String> allowed) throws ConfigException {
        if (!(node instanceof ObjectNode)) {
            throw error(key, "expected a mapping with keys " + allowed + ", got " + describe(node));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw error(
                        join(key, k),
                        "unknown key" + (k.isEmpty() ? " \"\" (empty)" : "") + "; expected one of " + allowed);
            }
        }
        return (ObjectNode) node;
    }

    Scenario scenario(JsonNode rootNode) throws ConfigException {
        ObjectNode root = mapping(
                rootNode,
                "",
                set(
                        "scenario",
                        "description",
                        "warmup",
                        "duration",
                        "floor",
                        "interval",
                        "semaphore",
                        "threads",
                        "budgets",
                        "stall",
                        "slice"));
        String name = optText(root, "scenario", null);
        if (name == null) {
            // the file's name without .yaml; not Path.of(file): the name as the user gave it may not be a path
            String base = file.substring(file.lastIndexOf('/') + 1).replaceFirst("\\.ya?ml$", "");
            if (!base.matches("[A-Za-z0-9._-]+")) {
                throw error(
                        "scenario",
                        "missing, and the file name " + quote(base) + " cannot stand for it; "
                                + "expected scenario: NAME with letters, digits, '.', '_' or '-'");
            }
            name = base;
        }
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw error("scenario", "expected a name of letters, digits, '.', '_' or '-', got " + quote(name));
        }
        String description = optText(root, "description", "");
        long warmup = duration(root, "warmup", 1_000_000_000L, 0, MAX_PHASE_NANOS);
        long duration = duration(root, "duration", 5_000_000_000L, 1_000_000L, MAX_PHASE_NANOS);
        long floor = duration(root, "floor", 1_000_000_000L, 1_000_000L, MAX_PHASE_NANOS);
        long interval = duration(root, "interval", 1_000_000_000L, 10_000_000L, 60_000_000_000L);
        long slice = duration(root, "slice", Math.min(Scenario.DEFAULT_SLICE_NANOS, duration), 1_000_000L, duration);
        SemaphoreSpec sem = semaphore(root.get("semaphore"));
        List<ThreadSpec> threads = threads(root.get("threads"), sem, duration);
        if (sem.wakeScheduling() != null && threads.stream().noneMatch(t -> t.context() == RtContext.NON_RT)) {
            throw error(
                    "semaphore.wake-scheduling",
                    "rtsem gets a bridge, and so a wake service, only when a NON_RT thread runs; this scenario has"
                            + " none, so the key would do nothing");
        }
        Map<RtContext, Budget> budgets = budgets(root.get("budgets"), threads);
        Optional<StallSpec> stall = stall(root.get("stall"), threads, duration);
        return new Scenario(
                name,
                description,
                file,
                warmup,
                duration,
                floor,
                interval,
                sem,
                List.copyOf(threads),
                Collections.unmodifiableMap(new EnumMap<>(budgets)),
                stall,
                slice);
    }

    SemaphoreSpec semaphore(JsonNode node) throws ConfigException {
        if (node == null) {
            return new SemaphoreSpec(
                    1,
                    1,
                    false,
                    Map.of(),
                    SemaphoreSpec.DEFAULT_MAX_BYPASS_NANOS,
                    SemaphoreSpec.DEFAULT_PARK_FALLBACK_NANOS);
        }
        ObjectNode m = mapping(
                node,
                "semaphore",
                set(
                        "permits",
                        "max-permits",
                        "binary",
                        "strategies",
                        "max-bypass",
                        "park-fallback",
                        "wake-scheduling"));
        boolean binary = optBool(m, "binary", "semaphore.binary", false);
        int permits = optInt(m, "permits", "semaphore.permits", binary ? 1 : 1, 0, 1_000_000);
        int maxPermits =
                optInt(m, "max-permits", "semaphore.max-permits", binary ? 1 : Math.max(permits, 1), 1, 1_000_000);
        if (binary && (permits > 1 || maxPermits != 1)) {
            throw error(
                    "semaphore.binary",
                    "a binary semaphore has permits 0 or 1 and max-permits 1, got permits " + permits + ", max-permits "
                            + maxPermits);
        }
        if (permits > maxPermits) {
            throw error("semaphore.permits", "expected at most max-permits (" + maxPermits + "), got " + permits);
        }
        Map<RtContext, String> strategies = new EnumMap<>(RtContext.class);
        JsonNode s = m.get("strategies");
        if (s != null) {
            ObjectNode sm = mapping(s, "semaphore.strategies", contextNames());
            for (Iterator<Map.Entry<String, JsonNode>> it = sm.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = "semaphore.strategies." + e.getKey();
                if (!e.getValue().isTextual()) {
                    throw error(
                            key,
                            "expected a wait strategy alias such as busy-spin, backoff or park, got "
                                    + describe(e.getValue()));
                }
                RtContext ctx = RtContext.valueOf(e.getKey());
                String alias = e.getValue().asText();
                try {
                    RtSemaphore.builder().waitStrategy(ctx, alias);
                } catch (IllegalArgumentException ex) {
                    throw error(
                            key,
                            "rtsem does not accept wait strategy " + quote(alias) + " for " + ctx + ": "
                                    + ex.getMessage());
                }
                strategies.put(ctx, alias);
            }
        }
        long maxBypass = duration(
                m,
                "max-bypass",
                "semaphore.max-bypass",
                SemaphoreSpec.DEFAULT_MAX_BYPASS_NANOS,
                1_000L,
                60_000_000_000L);
        long parkFallback = duration(
                m,
                "park-fallback",
                "semaphore.park-fallback",
                SemaphoreSpec.DEFAULT_PARK_FALLBACK_NANOS,
                1_000L,
                1_000_000_000L);
        // the bridge's wake service: absent, the bridge's default (null); "default" would mean NON_RT's, no change
        RtScheduling wake =
                m.has("wake-scheduling") ? scheduling(m.get("wake-scheduling"), "semaphore.wake-scheduling") : null;
        return new SemaphoreSpec(permits, maxPermits, binary, Map.copyOf(strategies), maxBypass, parkFallback, wake);
    }

    List<ThreadSpec> threads(JsonNode node, SemaphoreSpec sem, long durationNanos) throws ConfigException {
        if (node == null) {
            throw error("threads", "missing; expected a list of threads (name, context, cpu, role ...)");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw error("threads", "expected a non-empty list of threads, got " + describe(node));
        }
        List<ThreadSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<Integer, String> spinnerCpus = new HashMap<>();
        List<String> anySpinners = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String key = "threads[" + i + "]";
            ObjectNode t = mapping(
                    node.get(i),
                    key,
                    set(
                            "name",
                            "context",
                            "cpu",
                            "role",
                            "rate-hz",
                            "permits",
                            "hold",
                            "releases",
                            "allocate-bytes",
                            "scheduling",
                            "busy"));
            String name = reqText(t, "name", key + ".name");
            if (!name.matches("[A-Za-z0-9._-]{1,40}")) {
                throw error(key + ".name", "expected 1-40 letters, digits, '.', '_' or '-', got " + quote(name));
            }
            if (!names.add(name)) {
                throw error(key + ".name", "expected a unique thread name; \"" + name + "\" is used twice");
            }
            RtContext ctx = context(reqText(t, "context", key + ".context"), key + ".context");
            int cpu = cpu(t.get("cpu"), key + ".cpu");
            Role role = role(reqText(t, "role", key + ".role"), key + ".role");
            long period = rate(t.get("rate-hz"), key + ".rate-hz", role);
            int permits = optInt(t, "permits", key + ".permits", 1, 1, 1_000_000);
            if (permits > sem.maxPermits()) {
                throw error(
                        key + ".permits",
                        "expected at most semaphore.max-permits (" + sem.maxPermits() + "), got " + permits);
            }
            if (role == Role.HOG) {
                for (String k : List.of("permits", "hold", "releases", "allocate-bytes")) {
                    if (t.has(k)) {
                        throw error(
                                key + "." + k,
                                "a hog never touches the semaphore; expected only name, context, cpu, role, rate-hz, "
                                        + "busy and scheduling");
                    }
                }
                if (!t.has("busy")) {
                    throw error(key + ".busy", "missing; a hog needs the time it runs busy each period, such as 20ms");
                }
            } else if (t.has("busy")) {
                throw error(
                        key + ".busy",
                        "only a hog has this key (how long it runs each period); a " + role.alias()
                                + " busy-waits its hold");
            }
            // a hog's busy time each period is kept where the others keep their hold (ThreadSpec.holdNanos)
            long hold = role == Role.HOG
                    ? duration(t, "busy", key + ".busy", 0, 1_000L, 1_000_000_000L)
                    : duration(t, "hold", key + ".hold", 0, 0, 1_000_000_000L);
            if (role == Role.HOG && hold >= period) {
                throw error(
                        key + ".busy",
                        "expected a busy time shorter than the period (" + period / 1000 + " us at rate-hz): a hog "
                                + "that never sleeps would starve its CPU, got " + hold / 1000 + " us");
            }
            if (period > 0 && role != Role.RELEASER && role != Role.HOG && hold >= period) {
                throw error(
                        key + ".hold",
                        "expected a hold shorter than the loop period (" + period / 1000 + " us at rate-hz), got "
                                + hold / 1000 + " us");
            }
            boolean releasesOwn = releases(t.get("releases"), key + ".releases", role);
            int alloc = optInt(t, "allocate-bytes", key + ".allocate-bytes", 0, 0, 64 * 1024 * 1024);
            if (role == Role.BOOKKEEPER && ctx != RtContext.NON_RT) {
                throw error(key + ".context", "a bookkeeper goes through the bridge and must be NON_RT, got " + ctx);
            }
            if (alloc > 0 && role != Role.BOOKKEEPER) {
                throw error(key + ".allocate-bytes", "only a bookkeeper allocates; real-time loops must not");
            }
            RtScheduling scheduling = scheduling(t.get("scheduling"), key + ".scheduling");
            if (ctx == RtContext.HARD
                    && cpu == RtThread.NO_PIN
                    && scheduling.policy().map(p -> p.isRealTime()).orElse(false)) {
                throw error(
                        key + ".scheduling",
                        "a HARD thread spins; under " + ThreadSpec.schedulingText(scheduling)
                                + " an unpinned one could starve any CPU; expected cpu: N or any with it, or "
                                + "scheduling: other, inherit or default");
            }
            if (cpu == RtThread.ANY_CPU && ctx != RtContext.NON_RT) {
                anySpinners.add(name);
            }
            if (cpu >= 0 && ctx != RtContext.NON_RT) {
                String other = spinnerCpus.put(cpu, name);
                if (other != null) {
                    throw error(
                            key + ".cpu",
                            "cpu " + cpu + " is already given to spinning thread \"" + other
                                    + "\"; two spinners on one CPU starve each other; use another CPU, any or none");
                }
            }
            out.add(new ThreadSpec(name, ctx, cpu, role, period, permits, hold, releasesOwn, alloc, scheduling));
        }
        // each pinned HARD/SOFT thread, "cpu: any" ones included, needs a CPU of its own
        if (spinnerCpus.size() + anySpinners.size() > Math.max(1, availableCpus)) {
            throw error(
                    "threads",
                    "expected at most " + availableCpus + " pinned HARD/SOFT threads on this "
                            + availableCpus + "-CPU machine, got " + (spinnerCpus.size() + anySpinners.size()) + " ("
                            + spinnerCpus.size() + " on fixed CPUs " + spinnerCpus.keySet() + ", " + anySpinners.size()
                            + " with cpu: any " + anySpinners + ")");
        }
        boolean anyWaiter = out.stream().anyMatch(ThreadSpec::waits);
        if (!anyWaiter) {
            throw error("threads", "expected at least one acquirer or bookkeeper: nobody waits, nothing to measure");
        }
        boolean releaser = out.stream().anyMatch(t -> t.role() == Role.RELEASER);
        if (sem.permits() == 0 && !releaser) {
            throw error(
                    "semaphore.permits",
                    "0 initial permits and no releaser thread: every acquirer would wait "
                            + "forever (nobody releases a permit it did not acquire); give permits or add a releaser");
        }
        for (int i = 0; i < out.size(); i++) {
            ThreadSpec t = out.get(i);
            if (t.role() == Role.ACQUIRER && !t.releasesOwn() && !releaser) {
                throw error(
                        "threads[" + i + "].releases",
                        "\"none\" needs a releaser thread, or the acquirer waits forever once the initial "
                                + "permits are gone; add a releaser or use releases: self");
            }
        }
        return out;
    }

    Map<RtContext, Budget> budgets(JsonNode node, List<ThreadSpec> threads) throws ConfigException {
        Map<RtContext, Budget> out = new EnumMap<>(RtContext.class);
        if (node == null) {
            return out;
        }
        ObjectNode m = mapping(node, "budgets", contextNames());
        Set<RtContext> waiting = new LinkedHashSet<>();
        threads.stream().filter(ThreadSpec::waits).forEach(t -> waiting.add(t.context()));
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = "budgets." + e.getKey();
            RtContext ctx = RtContext.valueOf(e.getKey());
            if (!waiting.contains(ctx)) {
                throw error(key, "no thread waits in context " + ctx + "; expected budgets only for " + waiting);
            }
            ObjectNode b = mapping(e.getValue(), key, set(Budget.KEYS));
            long[] v = new long[Budget.KEYS.length];
            long prev = 0;
            String prevKey = null;
            for (int i = 0; i < v.length; i++) {
                String k = Budget.KEYS[i];
                JsonNode n = b.get(k);
                if (n == null) {
                    v[i] = Budget.UNSET;
                    continue;
                }
                if (!n.isNumber() || n.asDouble() <= 0 || n.asDouble() > 3.6e9) {
                    throw error(key + "." + k, "expected a positive number of microseconds, got " + describe(n));
                }
                v[i] = Math.round(n.asDouble() * 1000.0);
                if (v[i] < 1) { // a budget is kept in whole nanoseconds
                    throw error(
                            key + "." + k,
                            "expected a positive number of microseconds, at least 0.001 (1 ns), " + "got "
                                    + describe(n));
                }
                if (prevKey != null && v[i] < prev) {
                    throw error(
                            key + "." + k,
                            "impossible: " + n.asText() + " us is below " + prevKey + " (" + prev / 1000.0
                                    + " us); a higher percentile cannot have a smaller limit");
                }
                prev = v[i];
                prevKey = k;
            }
            if (prevKey == null) {
                throw error(key, "expected at least one of " + List.of(Budget.KEYS));
            }
            out.put(ctx, new Budget(v[0], v[1], v[2], v[3], v[4]));
        }
        return out;
    }

    Optional<StallSpec> stall(JsonNode node, List<ThreadSpec> threads, long durationNanos) throws ConfigException {
        if (node == null) {
            return Optional.empty();
        }
        ObjectNode m = mapping(node, "stall", set("thread", "at", "for"));
        String thread = reqText(m, "thread", "stall.thread");
        ThreadSpec t = threads.stream()
                .filter(x -> x.name().equals(thread))
                .findFirst()
                .orElseThrow(
                        () -> error("stall.thread", "expected the name of a thread in threads, got " + quote(thread)));
        if (!(t.role() == Role.RELEASER || (t.role() == Role.ACQUIRER && t.releasesOwn()))) {
            throw error(
                    "stall.thread",
                    "expected a releaser or an acquirer with releases: self, got a "
                            + t.role().alias());
        }
        long at = duration(m, "at", "stall.at", -1, 0, durationNanos - 1);
        if (at < 0) {
            throw error("stall.at", "missing; expected a duration such as 500ms from the start of measurement");
        }
        long dur = duration(m, "for", "stall.for", -1, 1, 10_000_000_000L);
        if (dur < 0) {
            throw error("stall.for", "missing; expected a duration such as 10ms");
        }
        return Optional.of(new StallSpec(thread, at, dur));
    }

    // ---- scalar readers ----

    private long duration(ObjectNode m, String key, long dflt, long min, long max) throws ConfigException {
        return duration(m, key, key, dflt, min, max);
    }

    private long duration(ObjectNode m, String field, String key, long dflt, long min, long max)
            throws ConfigException {
        JsonNode n = m.get(field);
        if (n == null) {
            return dflt;
        }
        String expected = "a duration with a unit (ns, us, ms, s, m) such as 500ms or 20s";
        if (!n.isTextual()) {
            throw error(key, "expected " + expected + ", got " + describe(n));
        }
        Matcher mt = DURATION.matcher(n.asText().trim());
        if (!mt.matches()) {
            throw error(key, "expected " + expected + ", got " + quote(n.asText()));
        }
        double v = Double.parseDouble(mt.group(1));
        long scale = switch (mt.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            default -> 60_000_000_000L;
        };
        long nanos = Math.round(v * scale);
        if (nanos < min || nanos > max) {
            throw error(
                    key, "expected a duration between " + human(min) + " and " + human(max) + ", got " + n.asText());
        }
        return nanos;
    }

    private int optInt(ObjectNode m, String field, String key, int dflt, int min, int max) throws ConfigException {
        JsonNode n = m.get(field);
        if (n == null) {
            return dflt;
        }
        // canConvertToLong: asLong() of a BigInteger wraps (2^64 + 1 would read as 1)
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            throw error(key, "expected an integer from " + min + " to " + max + ", got " + describe(n));
        }
        return n.asInt();
    }

    private boolean optBool(ObjectNode m, String field, String key, boolean dflt) throws ConfigException {
        JsonNode n = m.get(field);
        if (n == null) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw error(key, "expected true or false, got " + describe(n));
        }
        return n.asBoolean();
    }

    private String optText(ObjectNode m, String key, String dflt) throws ConfigException {
        JsonNode n = m.get(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw error(key, "expected a string, got " + describe(n));
        }
        return n.asText();
    }

    private String reqText(ObjectNode m, String field, String key) throws ConfigException {
        JsonNode n = m.get(field);
        if (n == null) {
            throw error(key, "missing; this key is required");
        }
        if (!n.isTextual()) {
            throw error(key, "expected a string, got " + describe(n));
        }
        return n.asText();
    }

    private RtContext context(String s, String key) throws ConfigException {
        try {
            return RtContext.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw error(key, "expected one of " + contextNames() + ", got " + quote(s));
        }
    }

    private Role role(String s, String key) throws ConfigException {
        for (Role r : Role.values()) {
            if (r.alias().equals(s)) {
                return r;
            }
        }
        throw error(key, "expected acquirer, releaser, bookkeeper or hog, got " + quote(s));
    }

    private int cpu(JsonNode n, String key) throws ConfigException {
        if (n == null) {
            return RtThread.NO_PIN;
        }
        if (n.isTextual() && n.asText().equals("any")) {
            return RtThread.ANY_CPU;
        }
        if (n.isTextual() && n.asText().equals("none")) {
            return RtThread.NO_PIN;
        }
        if (n.isIntegralNumber()) {
            // canConvertToInt: asInt() keeps the low 32 bits (4294967297 would read as CPU 1)
            if (!n.canConvertToInt() || n.asInt() < 0 || n.asInt() >= availableCpus) {
                throw error(
                        key,
                        "expected a CPU number from 0 to " + (availableCpus - 1) + " (this machine has " + availableCpus
                                + " CPUs), \"any\" or \"none\", got " + n.asText());
            }
            return n.asInt();
        }
        throw error(key, "expected a CPU number, \"any\" or \"none\", got " + describe(n));
    }

    /** What the {@code scheduling} key accepts, for messages. */
    static final String SCHEDULING_EXPECTED = "fifo:N or rr:N (N from 1 to 99), other, batch, idle, inherit or "
            + "default, optionally followed by /prefer (e.g. fifo:40/prefer)";

    /**
     * The thread's {@code scheduling} key: absent means {@code default/prefer} (the context's default, S1-S3, with a
     * refusal recorded rather than fatal, so a machine without CAP_SYS_NICE still runs the shipped scenarios and the
     * report says what it ran under); the rest is {@link RtScheduling#parse} syntax, with {@code inherit} for its
     * {@code unchanged}.
     */
    private RtScheduling scheduling(JsonNode n, String key) throws ConfigException {
        if (n == null) {
            return RtScheduling.contextDefault().preferred();
        }
        if (!n.isTextual()) {
            throw error(key, "expected " + SCHEDULING_EXPECTED + ", got " + describe(n));
        }
        String text = n.asText();
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("inherit") || t.startsWith("inherit/")) {
            t = "unchanged" + t.substring("inherit".length());
        }
        if (t.replaceFirst("^sched_", "").matches("deadline\\s*(:.*|/.*)?")) {
            // RtScheduling.parse would ask for a priority first, and then refuse DEADLINE anyway
            throw error(
                    key,
                    "expected " + SCHEDULING_EXPECTED + ", got " + quote(text)
                            + ": SCHED_DEADLINE cannot be set with sched_setscheduler");
        }
        try {
            return RtScheduling.parse(t);
        } catch (IllegalArgumentException e) {
            throw error(key, "expected " + SCHEDULING_EXPECTED + ", got " + quote(text) + ": " + e.getMessage());
        }
    }

    private long rate(JsonNode n, String key, Role role) throws ConfigException {
        if (n == null || (n.isTextual() && n.asText().equals("max"))) {
            if (role == Role.RELEASER || role == Role.BOOKKEEPER || role == Role.HOG) {
                throw error(
                        key,
                        "a " + role.alias() + " needs a fixed rate; expected a number of iterations "
                                + "per second from 1 to 1000000");
            }
            return 0;
        }
        if (!n.isNumber() || n.asDouble() < 1 || n.asDouble() > 1_000_000) {
            throw error(key, "expected iterations per second from 1 to 1000000, or \"max\", got " + describe(n));
        }
        return Math.round(1e9 / n.asDouble());
    }

    private boolean releases(JsonNode n, String key, Role role) throws ConfigException {
        if (n == null) {
            return role == Role.ACQUIRER || role == Role.BOOKKEEPER;
        }
        if (!n.isTextual() || !(n.asText().equals("self") || n.asText().equals("none"))) {
            throw error(key, "expected \"self\" or \"none\", got " + describe(n));
        }
        if (role != Role.ACQUIRER) {
            throw error(key, "only an acquirer has this key");
        }
        return n.asText().equals("self");
    }

    private static Set<String> set(String... s) {
        return new LinkedHashSet<>(List.of(s));
    }

    private static Set<String> contextNames() {
        Set<String> s = new LinkedHashSet<>();
        for (RtContext c : RtContext.values()) {
            s.add(c.name());
        }
        return s;
    }

    static String join(String parent, String child) {
        return parent.isEmpty() ? child : parent + "." + child;
    }

    private static String describe(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        if (n.isTextual()) {
            return quote(n.asText());
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        String text = n.toString();
        return n.getNodeType().name().toLowerCase(Locale.ROOT) + " "
                + (text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text);
    }

    /** Longest part of a value quoted in a message. */
    private static final int MAX_QUOTED = 80;

    /** @return the text in double quotes, cut after {@value #MAX_QUOTED} characters (saying how long it was) */
    private static String quote(String s) {
        return s.length() <= MAX_QUOTED
                ? "\"" + s + "\""
                : "\"" + s.substring(0, MAX_QUOTED) + "...\" (" + s.length() + " characters)";
    }

    private static String human(long nanos) {
        if (nanos % 1_000_000_000L == 0 && nanos > 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0 && nanos > 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0 && nanos > 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }
}
