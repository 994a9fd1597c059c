package io.rtsem.latency.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;

/**
 * A releaser that stalls once for 10 ms, feeding a 4 kHz consumer. As in HdrHistogram's README
 * example, the corrected waits (from the consumer's schedule) hold the whole stall, about 40
 * samples from 0.25 to 10 ms (20 of 12,000 at 5 ms or more), so their 99.9th percentile is in the
 * milliseconds; the raw service times hold it once (their max), so their 99.9th percentile is not.
 */
class CoordinatedOmissionTest {
    private static final long FIVE_MS = 5_000_000L;

    @Test
    void stallShowsInCorrectedPercentilesNotInRawOnes() throws IOException {
        Path out = Path.of("target", "rtsem-test", "co-stall").toAbsolutePath();
        ValidateEndToEndTest.deleteRecursively(out);
        String scenario = Path.of("src/test/resources/scenarios/co-stall.yaml")
                .toAbsolutePath()
                .toString();
        CliRun run = CliRun.of("validate", scenario, "--out", out.toString(), "-q");
        assertEquals(0, run.exitCode(), () -> run.out() + run.err());
        for (String subject : new String[] {"rtsem", "peer"}) {
            Histogram corrected = read(out.resolve(subject + "-SOFT.hlog").toFile(), null);
            Histogram raw = read(out.resolve(subject + "-SOFT.hlog").toFile(), "service");
            String figures = subject + ": corrected p99.9 " + corrected.getValueAtPercentile(99.9) + " ns, "
                    + corrected.getCountBetweenValues(FIVE_MS, Long.MAX_VALUE / 2) + " >= 5 ms; raw p99.9 "
                    + raw.getValueAtPercentile(99.9) + " ns, " + raw.getCountBetweenValues(FIVE_MS, Long.MAX_VALUE / 2)
                    + " >= 5 ms, raw max " + raw.getMaxValue();
            assertTrue(
                    corrected.getCountBetweenValues(FIVE_MS, Long.MAX_VALUE / 2) >= 5,
                    "corrected waits keep the samples the stall delayed (about 20 of them >= 5 ms): " + figures);
            System.out.println("coordinated omission, " + figures);
            assertTrue(corrected.getValueAtPercentile(99.9) >= FIVE_MS, "corrected p99.9 shows the stall: " + figures);
            assertTrue(raw.getValueAtPercentile(99.9) < FIVE_MS, "raw p99.9 does not: " + figures);
        }
    }

    /** Sums the interval histograms with the given tag (null: untagged) of an .hlog file. */
    private static Histogram read(File hlog, String tag) throws IOException {
        Histogram sum = new Histogram(1, 60_000_000_000L, 3);
        HistogramLogReader reader = new HistogramLogReader(hlog);
        EncodableHistogram h;
        while ((h = reader.nextIntervalHistogram()) != null) {
            if (tag == null ? h.getTag() == null : tag.equals(h.getTag())) {
                sum.add((Histogram) h);
            }
        }
        reader.close();
        return sum;
    }
}
