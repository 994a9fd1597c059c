package io.rtsem.latency.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real-time JVM options {@code ./rtsem} applies by default, read from
 * {@code configs/jvm.options} (one option per line, {@code #} comments): the same file the script
 * reads, so the report can say which recommended options a run went without. NON_RT.
 */
public final class RealTimeJvmOptions {
    private RealTimeJvmOptions() {}

    /**
     * @param root the repository root
     * @return the options, empty if the file is missing
     * @throws NullPointerException if {@code root} is null
     */
    public static List<String> read(Path root) {
        java.util.Objects.requireNonNull(root, "root");
        Path f = root.resolve("configs").resolve("jvm.options");
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(f)) {
                String s = line.strip();
                if (!s.isEmpty() && !s.startsWith("#")) {
                    out.add(s);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }
}
