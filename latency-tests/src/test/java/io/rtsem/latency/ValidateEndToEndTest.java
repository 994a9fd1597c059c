package io.rtsem.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    private static final String[] PERCENTILES = {"count", "mean", "p50", "p90", "p99", "p99.9", "p99.99", "max"};

    private static Path out;
    private static CliRun run;

    @BeforeAll
    static void runSmoke() throws IOException {
        out = Path.of("target", "rtsem-test", "smoke").toAbsolutePath();
        deleteRecursively(out);
        run = CliRun.of("validate", CliRun.root().resolve("configs/smoke.yaml").toString(), "--out", out.toString(),
            "--quiet");
    }

    @Test
    void smokeMeetsItsLenientBudgetsAndExitsZero() {
        assertEquals(0, run.exitCode(), () -> "stdout:\n" + run.out() + "\nstderr:\n" + run.err());
        assertTrue(run.out().contains("PASS, every budget met"), run.out());
        // RealTimeCpuIsolationTest checks that a run without --quiet does print it to the same writer
        assertFalse(run.err().contains("elapsed") || run.err().contains("remaining") || run.err().contains(" max "),
            "--quiet silences the progress line: " + run.err());
    }

    @Test
    void writesEveryReportFile() {
        for (String f : List.of("report.json", "report.html", "summary.txt", "run.jfr", "floor.hgrm",
            "hiccups-rtsem.hgrm", "hiccups-peer.hgrm", "hiccups-floor.hgrm", "hiccups-cpu1.hgrm", "hiccups-cpu0.hgrm")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " written");
        }
        for (String subject : List.of("rtsem", "peer")) {
            for (String c : CONTEXTS) {
                assertTrue(Files.isRegularFile(out.resolve(subject + "-" + c + ".hlog")), subject + " " + c + " hlog");
                for (String m : List.of("wait", "service", "hold", "handoff")) {
                    assertTrue(Files.isRegularFile(out.resolve(subject + "-" + c + "-" + m + ".hgrm")),
                        subject + " " + c + " " + m + " hgrm");
                }
            }
        }
    }

    @Test
    void reportJsonFollowsTheDocumentedSchema() throws IOException {
        JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals(1, r.path("schemaVersion").asInt());
        assertEquals("us", r.path("unit").asText());
        assertEquals("smoke", r.path("scenario").path("name").asText());
        assertEquals(3, r.path("scenario").path("threads").size());
        assertTrue(r.path("run").path("jvmArguments").isArray());
        assertTrue(r.path("run").path("missingRecommendedJvmOptions").isArray());
        assertTrue(r.path("verdict").path("pass").asBoolean());
        assertEquals(0, r.path("verdict").path("exitCode").asInt());
        assertEquals(0, r.path("verdict").path("missed").size());
        assertEquals(2, r.path("floor").path("cpus").size());
        assertPercentiles(r.path("floor").path("oneWay"));
        assertTrue(r.path("floor").path("oneWay").path("count").asLong() > 0, "the floor measured hand-offs");
        assertPercentiles(r.path("floor").path("cpuHiccups").path("1"));
        assertPercentiles(r.path("floor").path("cpuHiccups").path("0"));
        for (String subject : List.of("rtsem", "peer")) {
            JsonNode s = r.path("subjects").path(subject);
            assertTrue(s.path("description").isTextual());
            assertPercentiles(s.path("hiccups"));
            assertTrue(s.path("overBudgetWaits").isIntegralNumber());
            assertTrue(s.path("iterations").path("hard-loop").asLong() > 0, subject + " iterations");
            assertTrue(s.path("threadCpuMs").path("hard-loop").isNumber(), subject + " CPU time of the HARD loop");
            for (String c : CONTEXTS) {
                for (String m : List.of("wait", "service", "hold", "handoff")) {
                    assertPercentiles(s.path("contexts").path(c).path(m));
                }
                assertTrue(s.path("contexts").path(c).path("wait").path("count").asLong() > 0, subject + " " + c);
            }
            JsonNode worst = s.path("worstWaits");
            assertTrue(worst.isArray() && worst.size() >= 1 && worst.size() <= 10, subject + " worst waits");
            for (JsonNode w : worst) {
                for (String k : List.of("thread", "context", "at")) {
                    assertTrue(w.path(k).isTextual(), k);
                }
                assertTrue(w.path("wait").isNumber() && w.path("service").isNumber() && w.path("offsetMs").isNumber());
                assertTrue(w.path("causes").isArray());
            }
        }
        for (String c : CONTEXTS) {
            for (String m : List.of("wait", "handoff")) {
                JsonNode ratio = r.path("ratios").path(c).path(m);
                assertTrue(ratio.path("toFloor").has("p99.9") && ratio.path("toPeer").has("max"), c + " " + m);
            }
            JsonNode b = r.path("budgets").path(c).path("p99");
            assertTrue(b.path("budget").isNumber() && b.path("actual").isNumber() && b.path("pass").asBoolean(), c);
        }
        assertTrue(r.path("jvm").path("eventCounts").isObject());
        assertTrue(r.path("jvm").path("advice").isArray());
    }

    private static void assertPercentiles(JsonNode p) {
        for (String k : PERCENTILES) {
            assertTrue(p.path(k).isNumber(), "percentile object has numeric " + k + ": " + p);
        }
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
        assertTrue(html.contains("<svg id=\"percentile-plot\""), "inline SVG plot");
        Matcher m = Pattern.compile("<polyline class=\"series\" data-label=\"([^\"]+)\"[^>]* points=\"([^\"]+)\"")
            .matcher(html);
        List<String> labels = new java.util.ArrayList<>();
        while (m.find()) {
            labels.add(m.group(1));
            assertTrue(m.group(2).split(" ").length >= 2, "a curve has points: " + m.group(1));
        }
        assertTrue(labels.contains("floor (cache-line hand-off)"), labels.toString());
        for (String c : CONTEXTS) {
            assertTrue(labels.contains("rtsem " + c + " wait") && labels.contains("peer " + c + " wait"), labels.toString());
        }
        assertTrue(html.contains(">99.9%<"), "log nines x-axis labels");
        assertFalse(html.contains("<script") || html.contains("http://") && !html.contains("http://www.w3.org/2000/svg"),
            "no scripts, nothing to fetch");
    }

    @Test
    void chromiumRendersThePlot() throws IOException, InterruptedException {
        Path html = out.resolve("report.html");
        Path shot = Path.of("target", "rtsem-test", "report-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        String dom = chromium(html, "--dump-dom");
        assertTrue(dom.contains("<svg id=\"percentile-plot\""), "the browser's DOM has the plot");
        assertTrue(Pattern.compile("<polyline[^>]+points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+").matcher(dom).find(),
            "the plot has non-empty curves after rendering");
        chromium(html, "--screenshot=" + shot, "--window-size=1100,1400");
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the rendered report: " + shot);
    }

    /** Runs Debian's chromium headless on a file, returns its stdout. */
    private static String chromium(Path file, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("rtsem-chromium");
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/chromium", "--headless", "--no-sandbox",
            "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        cmd.addAll(List.of(extra));
        cmd.add(file.toUri().toString());
        Path stdout = Files.createTempFile("rtsem-chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
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
