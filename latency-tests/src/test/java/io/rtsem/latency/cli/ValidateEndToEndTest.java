package io.rtsem.latency.cli;

import static io.rtsem.latency.cli.JsonSchema.BOOL;
import static io.rtsem.latency.cli.JsonSchema.BOOL_OR_NULL;
import static io.rtsem.latency.cli.JsonSchema.INT;
import static io.rtsem.latency.cli.JsonSchema.INT_OR_NULL;
import static io.rtsem.latency.cli.JsonSchema.NUMBER;
import static io.rtsem.latency.cli.JsonSchema.NUMBER_OR_NULL;
import static io.rtsem.latency.cli.JsonSchema.STRING;
import static io.rtsem.latency.cli.JsonSchema.STRING_OR_NULL;
import static io.rtsem.latency.cli.JsonSchema.array;
import static io.rtsem.latency.cli.JsonSchema.map;
import static io.rtsem.latency.cli.JsonSchema.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./rtsem validate configs/smoke.yaml} end to end, run once in this JVM: exit code, files,
 * report.json against the schema documented in docs/LATENCY.md, the HTML plot (also rendered in
 * headless Chromium), and .hlog files readable by HdrHistogram's own reader.
 */
class ValidateEndToEndTest {
    private static final String[] CONTEXTS = {"HARD", "SOFT", "NON_RT"};

    private static Path out;
    private static CliRun run;

    @BeforeAll
    static void runSmoke() throws IOException {
        out = Path.of("target", "rtsem-test", "smoke").toAbsolutePath();
        deleteRecursively(out);
        run = CliRun.of(
                "validate", CliRun.root().resolve("configs/smoke.yaml").toString(), "--out", out.toString(), "--quiet");
    }

    @Test
    void smokeMeetsItsLenientBudgetsAndExitsZero() {
        assertEquals(0, run.exitCode(), () -> "stdout:\n" + run.out() + "\nstderr:\n" + run.err());
        assertTrue(run.out().contains("PASS, every budget met"), run.out());
        assertTrue(
                run.out().contains("JVM arguments: ") && run.out().contains("-Xmx1g"),
                "the summary lists the JVM arguments the run had (surefire's -Xmx1g among them): " + run.out());
        // RealTimeCpuIsolationTest checks that a run without --quiet does print it to the same writer
        assertFalse(
                run.err().contains("elapsed")
                        || run.err().contains("remaining")
                        || run.err().contains(" max "),
                "--quiet silences the progress line: " + run.err());
    }

    @Test
    void writesEveryReportFile() {
        for (String f : List.of(
                "report.json",
                "report.html",
                "summary.txt",
                "run.jfr",
                "floor.hgrm",
                "hiccups-rtsem.hgrm",
                "hiccups-peer.hgrm",
                "hiccups-floor.hgrm",
                "hiccups-cpu1.hgrm",
                "hiccups-cpu0.hgrm")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " written");
        }
        for (String subject : List.of("rtsem", "peer")) {
            for (String c : CONTEXTS) {
                assertTrue(Files.isRegularFile(out.resolve(subject + "-" + c + ".hlog")), subject + " " + c + " hlog");
                for (String m : List.of("wait", "service", "hold", "handoff")) {
                    assertTrue(
                            Files.isRegularFile(out.resolve(subject + "-" + c + "-" + m + ".hgrm")),
                            subject + " " + c + " " + m + " hgrm");
                }
            }
        }
    }

    /**
     * report.json of the smoke run, as documented in docs/LATENCY.md ("report.json schema"), key by key. Where keys
     * are data (contexts, threads, CPUs, percentile names) the exact set this scenario must produce is given.
     */
    static JsonSchema.Type smokeReportSchema() {
        Set<String> contexts = Set.of(CONTEXTS);
        Set<String> metrics = Set.of("wait", "service", "hold", "handoff");
        Set<String> names = Set.of("p50", "p90", "p99", "p99.9", "p99.99", "max");
        JsonSchema.Type percentiles = obj(
                "count", INT, "mean", NUMBER, "p50", NUMBER, "p90", NUMBER, "p99", NUMBER, "p99.9", NUMBER, "p99.99",
                NUMBER, "max", NUMBER);
        JsonSchema.Type scenario = obj(
                "name",
                STRING,
                "description",
                STRING,
                "file",
                STRING,
                "warmupMs",
                NUMBER,
                "durationMs",
                NUMBER,
                "floorMs",
                NUMBER,
                "intervalMs",
                NUMBER,
                "sliceMs",
                NUMBER,
                "semaphore",
                obj(
                        "permits",
                        INT,
                        "maxPermits",
                        INT,
                        "binary",
                        BOOL,
                        "strategies",
                        map(Set.of("HARD"), STRING),
                        "maxBypassUs",
                        NUMBER,
                        "parkFallbackUs",
                        NUMBER,
                        "wakeScheduling",
                        STRING_OR_NULL),
                "threads",
                array(obj(
                        "name",
                        STRING,
                        "context",
                        STRING,
                        "cpu",
                        STRING,
                        "role",
                        STRING,
                        "rateHz",
                        NUMBER_OR_NULL,
                        "permits",
                        INT_OR_NULL,
                        "holdUs",
                        NUMBER_OR_NULL,
                        "busyUs",
                        NUMBER_OR_NULL,
                        "releases",
                        STRING_OR_NULL,
                        "scheduling",
                        STRING)));
        JsonSchema.Type run = obj(
                "startedAt",
                STRING,
                "outDir",
                STRING,
                "javaVersion",
                STRING,
                "cpus",
                INT,
                "jvmArguments",
                array(STRING),
                "missingRecommendedJvmOptions",
                array(STRING),
                "threadCpuMs",
                map(null, NUMBER),
                "notes",
                array(STRING));
        JsonSchema.Type machine = obj(
                "schedRtRuntimeUs",
                INT_OR_NULL,
                "schedRtPeriodUs",
                INT_OR_NULL,
                "isolatedCpus",
                STRING_OR_NULL,
                "nohzFullCpus",
                STRING_OR_NULL,
                "capSysNice",
                BOOL_OR_NULL,
                "tuneApplied",
                BOOL);
        JsonSchema.Type interleaving = obj(
                "slices",
                INT,
                "sliceMs",
                NUMBER,
                "minSliceMs",
                NUMBER,
                "maxSliceMs",
                NUMBER,
                "measuredMsPerSubject",
                NUMBER,
                "warmupMs",
                NUMBER);
        JsonSchema.Type verdict = obj(
                "pass",
                BOOL,
                "exitCode",
                INT,
                "missed",
                array(obj(
                        "context",
                        STRING,
                        "percentile",
                        STRING,
                        "budget",
                        NUMBER,
                        "actual",
                        NUMBER_OR_NULL,
                        "overBy",
                        NUMBER_OR_NULL,
                        "platformLimit",
                        STRING_OR_NULL)),
                "behindSchedule",
                array(obj(
                        "thread",
                        STRING,
                        "context",
                        STRING,
                        "scheduled",
                        INT,
                        "completed",
                        INT,
                        "allowedShortfall",
                        INT,
                        "unfinishedWaits",
                        INT)));
        JsonSchema.Type budgets = map(
                contexts,
                map(Set.of("p50", "p99", "max"), obj("budget", NUMBER, "actual", NUMBER_OR_NULL, "pass", BOOL)));
        JsonSchema.Type floor = obj(
                "cpus",
                array(STRING),
                "oneWay",
                percentiles,
                "hiccups",
                percentiles,
                "cpuHiccups",
                map(Set.of("1", "0"), percentiles),
                "cpuHiccupThresholdUs",
                NUMBER,
                "hiccupFloor",
                map(Set.of("HARD"), percentiles),
                "notes",
                array(STRING));
        JsonSchema.Type subject = obj(
                "description",
                STRING,
                "waitStyles",
                map(contexts, STRING),
                "hiccups",
                percentiles,
                "overBudgetWaits",
                INT,
                "schedule",
                map(
                        Set.of("hard-loop", "soft-loop", "bookkeeper"),
                        obj("scheduled", INT, "completed", INT, "unfinishedWaits", INT)),
                "contexts",
                map(contexts, map(metrics, percentiles)),
                "worstWaits",
                array(obj(
                        "thread",
                        STRING,
                        "context",
                        STRING,
                        "wait",
                        NUMBER,
                        "service",
                        NUMBER,
                        "at",
                        STRING,
                        "offsetMs",
                        NUMBER,
                        "causes",
                        array(obj("kind", STRING, "detail", STRING)))),
                "inversions",
                obj(
                        "episodes",
                        map(Set.of("HARD", "SOFT"), INT),
                        "longWaitsExamined",
                        INT,
                        "longWaitsLost",
                        INT,
                        "longHoldsLost",
                        INT,
                        "priorityBoosts",
                        INT_OR_NULL,
                        "priorityBoostsRefused",
                        INT_OR_NULL));
        JsonSchema.Type ratios = map(
                contexts,
                obj(
                        "wait", obj("toPeer", map(names, NUMBER_OR_NULL), "toHiccupFloor", map(names, NUMBER_OR_NULL)),
                        "handoff", obj("toPeer", map(names, NUMBER_OR_NULL), "toFloor", map(names, NUMBER_OR_NULL))));
        JsonSchema.Type scheduling = obj(
                "samePolicyForPeer",
                BOOL,
                "threads",
                map(
                        Set.of("hard-loop", "soft-loop", "bookkeeper"),
                        obj(
                                "context",
                                STRING,
                                "requested",
                                STRING,
                                "resolved",
                                STRING,
                                "policy",
                                STRING,
                                "priority",
                                INT,
                                "asRequested",
                                BOOL,
                                "note",
                                STRING)));
        JsonSchema.Type jvm = obj(
                "eventCounts",
                map(Set.of("gc", "gc_notification", "safepoint", "deoptimization", "compilation"), INT),
                "stopsOfRealTimeThreads",
                array(STRING),
                "advice",
                array(STRING));
        return obj(
                "schemaVersion",
                INT,
                "unit",
                STRING,
                "scenario",
                scenario,
                "run",
                run,
                "machine",
                machine,
                "scheduling",
                scheduling,
                "interleaving",
                interleaving,
                "verdict",
                verdict,
                "budgets",
                budgets,
                "floor",
                floor,
                "subjects",
                map(Set.of("rtsem", "peer"), subject),
                "ratios",
                ratios,
                "jvm",
                jvm);
    }

    @Test
    void reportJsonFollowsTheDocumentedSchema() throws IOException {
        JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(
                List.of(),
                JsonSchema.check(smokeReportSchema(), r),
                () -> "report.json against the documented schema; run notes: "
                        + r.path("run").path("notes"));
        // what the types cannot say
        assertEquals(7, r.path("schemaVersion").asInt());
        // rtsem counts its priority boosts, the peer has none to count
        assertTrue(r.path("subjects")
                .path("rtsem")
                .path("inversions")
                .path("priorityBoosts")
                .isIntegralNumber());
        assertTrue(r.path("subjects")
                .path("peer")
                .path("inversions")
                .path("priorityBoosts")
                .isNull());
        // smoke.yaml asks for no policy: every thread runs its context's default (S1-S3), read back from the kernel:
        // SOFT at FIFO 40, NON_RT unchanged (SCHED_OTHER under the test runner), HARD at FIFO 60 only where RT
        // throttling is off (S2), else SCHED_OTHER
        r.path("scheduling").path("threads").forEach(t -> {
            assertEquals("default/prefer", t.path("requested").asText(), t.toString());
            final String resolved = t.path("resolved").asText();
            switch (t.path("context").asText()) {
                case "SOFT" -> assertEquals("fifo:40/prefer", resolved, t.toString());
                case "NON_RT" -> assertEquals("inherit/prefer", resolved, t.toString());
                default ->
                    assertTrue(resolved.equals("other/prefer") || resolved.equals("fifo:60/prefer"), t.toString());
            }
            final boolean fifo = resolved.startsWith("fifo");
            assertEquals(fifo ? "FIFO" : "OTHER", t.path("policy").asText(), t.toString());
            assertEquals(
                    fifo ? Integer.parseInt(resolved.replaceAll("\\D", "")) : 0,
                    t.path("priority").asInt(),
                    t.toString());
        });
        assertTrue(r.path("scheduling").path("samePolicyForPeer").asBoolean());
        assertTrue(run.out().contains("scheduling per thread, read back from the kernel"), run.out());
        // the machine's state as the kernel gives it (this test changes nothing): what ./rtsem tune reads
        JsonNode m = r.path("machine");
        assertEquals(
                io.rtsem.latency.machine.MachineFiles.SYSTEM.exists(io.rtsem.latency.machine.MachineFiles.STATE_FILE),
                m.path("tuneApplied").asBoolean(),
                m.toString());
        assertTrue(run.out().contains("machine: RT throttling"), run.out());
        assertEquals("us", r.path("unit").asText());
        assertEquals("smoke", r.path("scenario").path("name").asText());
        assertEquals(3, r.path("scenario").path("threads").size());
        assertTrue(r.path("verdict").path("pass").asBoolean());
        assertEquals(0, r.path("verdict").path("exitCode").asInt());
        assertEquals(0, r.path("verdict").path("missed").size());
        assertEquals(0, r.path("verdict").path("behindSchedule").size());
        assertEquals(
                List.of("1", "0"),
                List.of(
                        r.path("floor").path("cpus").get(0).asText(),
                        r.path("floor").path("cpus").get(1).asText()),
                () -> "floor CPUs; notes: " + r.path("run").path("notes"));
        // every floor CPU's gap detector measured its window (FloorPhaseTest: what the run says when one does not)
        assertEquals(
                0,
                r.path("floor").path("notes").size(),
                () -> "floor notes: " + r.path("floor").path("notes"));
        assertTrue(r.path("floor").path("oneWay").path("count").asLong() > 0, "the floor measured hand-offs");
        assertTrue(r.path("run").path("threadCpuMs").path("hard-loop").isNumber(), "CPU time of the HARD loop");
        // smoke.yaml: 1 s per subject in slices of 100 ms (the default): 10 pairs
        JsonNode il = r.path("interleaving");
        assertEquals(20, il.path("slices").asInt(), il.toString());
        assertEquals(100.0, il.path("sliceMs").asDouble(), 1e-9, il.toString());
        assertEquals(1000.0, il.path("measuredMsPerSubject").asDouble(), 0.001, il.toString());
        assertTrue(
                il.path("minSliceMs").asDouble() >= 50 && il.path("maxSliceMs").asDouble() <= 150, il.toString());
        for (String subject : List.of("rtsem", "peer")) {
            JsonNode s = r.path("subjects").path(subject);
            // 2 kHz for 1 s of this subject's slices: 2000 intended starts, give or take one at each slice end
            long scheduled =
                    s.path("schedule").path("hard-loop").path("scheduled").asLong();
            assertTrue(Math.abs(scheduled - 2000) <= 20, subject + " HARD schedule: " + scheduled);
            assertTrue(s.path("schedule").path("hard-loop").path("completed").asLong() > 0, subject + " completed");
            assertEquals(
                    0,
                    s.path("schedule").path("hard-loop").path("unfinishedWaits").asInt(),
                    subject);
            for (String c : CONTEXTS) {
                assertTrue(s.path("contexts").path(c).path("wait").path("count").asLong() > 0, subject + " " + c);
            }
            int worst = s.path("worstWaits").size();
            assertTrue(worst >= 1 && worst <= 10, subject + " worst waits: " + worst);
        }
        for (String c : CONTEXTS) {
            assertTrue(r.path("budgets").path(c).path("p99").path("pass").asBoolean(), c);
        }
        // the peer waits the way rtsem does: HARD spins on tryAcquire, SOFT backs off on rtsem's schedule, NON_RT parks
        JsonNode styles = r.path("subjects").path("peer").path("waitStyles");
        assertTrue(
                styles.path("HARD").asText().startsWith("spins on tryAcquire(), Thread.onSpinWait()"),
                styles.toString());
        assertTrue(styles.path("SOFT").asText().contains("backoff(spins=10000"), styles.toString());
        assertTrue(styles.path("NON_RT").asText().contains("then acquire()"), styles.toString());
        // ratios that mean something: no wait toFloor; the HARD wait against its CPU's hiccup floor only where that
        // floor is above the gap detector's threshold (never at the median: most iterations meet no gap)
        JsonNode hard = r.path("ratios").path("HARD");
        assertTrue(hard.path("wait").path("toFloor").isMissingNode(), hard.toString());
        // The rule, not the machine's noise: under load the HARD thread can meet a gap in most iterations, and then
        // the floor's median is above the threshold and the ratio exists (seen once with a soak test running).
        for (String p : List.of("p50", "p99", "max")) {
            double floorAt =
                    r.path("floor").path("hiccupFloor").path("HARD").path(p).asDouble();
            JsonNode ratio = hard.path("wait").path("toHiccupFloor").path(p);
            assertEquals(
                    floorAt <= 1.0,
                    ratio.isNull(),
                    "HARD wait toHiccupFloor " + p + " is null exactly where the " + "hiccup floor (" + floorAt
                            + " us) is at or under the detector's 1 us threshold: " + hard);
        }
        for (String c : List.of("SOFT", "NON_RT")) {
            JsonNode w = r.path("ratios").path(c).path("wait").path("toHiccupFloor");
            assertTrue(w.path("max").isNull() && w.path("p99").isNull(), c + " is unpinned: no own CPU: " + w);
        }
    }

    @Test
    void docsNameEveryKeyOfTheSchema() throws IOException {
        String doc = Files.readString(CliRun.root().resolve("docs/LATENCY.md"));
        String section = doc.substring(doc.indexOf("## `report.json` schema"));
        section = section.substring(0, section.indexOf("\n## ", 5));
        List<String> undocumented = new java.util.ArrayList<>();
        for (String key : JsonSchema.keyNames(smokeReportSchema())) {
            if (!section.contains("`" + key + "`")) {
                undocumented.add(key);
            }
        }
        assertEquals(List.of(), undocumented, "keys of report.json missing from the schema table of docs/LATENCY.md");
    }

    @Test
    void hlogFilesAreReadableByHdrHistogram() throws IOException {
        File f = out.resolve("rtsem-HARD.hlog").toFile();
        HistogramLogReader reader = new HistogramLogReader(f);
        int waits = 0;
        int tagged = 0;
        EncodableHistogram h;
        while ((h = reader.nextIntervalHistogram()) != null) {
            if (h.getTag() == null) {
                waits++;
            } else {
                tagged++;
            }
        }
        reader.close();
        assertTrue(waits >= 4, "one untagged (corrected wait) histogram per 250 ms interval, got " + waits);
        assertEquals(3 * waits, tagged, "service, hold and handoff tagged alongside each wait interval");
    }

    @Test
    void htmlIsSelfContainedWithAPercentilePlot() throws IOException {
        String html = Files.readString(out.resolve("report.html"));
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertTrue(html.contains("<svg id=\"percentile-plot\""), "inline SVG plot");
        Matcher m = Pattern.compile("<polyline class=\"series\" data-label=\"([^\"]+)\"[^>]* points=\"([^\"]+)\"")
                .matcher(html);
        List<String> labels = new java.util.ArrayList<>();
        while (m.find()) {
            labels.add(m.group(1));
            assertTrue(m.group(2).split(" ").length >= 2, "a curve has points: " + m.group(1));
        }
        assertTrue(labels.contains("floor (cache-line hand-off)"), labels.toString());
        assertTrue(labels.contains("HARD hiccup floor (own CPU)"), labels.toString());
        for (String c : CONTEXTS) {
            assertTrue(
                    labels.contains("rtsem " + c + " wait") && labels.contains("peer " + c + " wait"),
                    labels.toString());
            // a hand-off curve wherever the run saw hand-offs to that context (a short run may see none to NON_RT: with
            // SOFT at FIFO the bookkeeper rarely waits for a release)
            for (String subject : List.of("rtsem", "peer")) {
                final long handoffs = report.path("subjects")
                        .path(subject)
                        .path("contexts")
                        .path(c)
                        .path("handoff")
                        .path("count")
                        .asLong();
                assertEquals(
                        handoffs > 0,
                        labels.contains(subject + " " + c + " hand-off"),
                        subject + " " + c + ": " + handoffs + " hand-offs, curves " + labels);
            }
        }
        // the cache-line floor is drawn with the hand-offs, not with the waits
        String waitPlot =
                html.substring(html.indexOf("<svg id=\"percentile-plot\""), html.indexOf("<svg id=\"handoff-plot\""));
        assertFalse(waitPlot.contains("cache-line"), "no cache-line floor beside the waits");
        assertTrue(
                html.contains("id=\"wait-styles\"") && html.contains("spins on tryAcquire()"),
                "each peer's waiting style is in the HTML report");
        assertTrue(
                html.contains("id=\"interleaving\"") && html.contains("20 slices of 100.0 ms"), "slices in the HTML");
        assertTrue(html.contains(">99.9%<"), "log nines x-axis labels");
        assertSelfContained(html);
    }

    /** No script and nothing a browser would fetch: the SVG namespace name is the only URL allowed. */
    static void assertSelfContained(String html) {
        String s = html.toLowerCase(java.util.Locale.ROOT).replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for (String bad : List.of("<script", "http://", "https://", "src=", "url(", "@import", "<link", "<iframe")) {
            assertFalse(s.contains(bad), "report.html is self-contained, yet has " + bad);
        }
        Matcher href = Pattern.compile("href\\s*=\\s*[\"']?([^\"'\\s>]*)").matcher(s);
        while (href.find()) {
            assertTrue(href.group(1).startsWith("#"), "only links inside the page: href=" + href.group(1));
        }
    }

    @Test
    void selfContainedCheckCatchesWhatABrowserWouldFetch() {
        String ok = "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"#verdict\">v</a></svg>";
        assertSelfContained(ok);
        for (String bad : List.of(
                "<img src=\"x.png\">",
                "<a href=\"https://example.org/\">",
                "<a href='other.html'>",
                "<style>@import 'x.css';</style>",
                "<div style=\"background:url(x.png)\">",
                "<p>http://x</p>")) {
            assertThrows(org.opentest4j.AssertionFailedError.class, () -> assertSelfContained(ok + bad), bad);
        }
    }

    @Test
    void chromiumRendersThePlot() throws IOException, InterruptedException {
        Path html = out.resolve("report.html");
        Path shot = Path.of("target", "rtsem-test", "report-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        String dom = chromium(html, "--dump-dom");
        assertTrue(dom.contains("<svg id=\"percentile-plot\""), "the browser's DOM has the plot");
        assertTrue(
                Pattern.compile("<polyline[^>]+points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+")
                        .matcher(dom)
                        .find(),
                "the plot has non-empty curves after rendering");
        chromium(html, "--screenshot=" + shot, "--window-size=1100,1400");
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the rendered report: " + shot);
    }

    /** Runs Debian's chromium headless on a file, returns its stdout. */
    private static String chromium(Path file, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("rtsem-chromium");
        List<String> cmd = new java.util.ArrayList<>(List.of(
                "/usr/bin/chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile));
        cmd.addAll(List.of(extra));
        cmd.add(file.toUri().toString());
        Path stdout = Files.createTempFile("rtsem-chromium", ".out");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium finished within 90 s");
        assertEquals(0, p.exitValue(), "chromium exit code");
        String s = Files.readString(stdout);
        Files.delete(stdout);
        deleteRecursively(profile);
        assertNotNull(s);
        return s;
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
