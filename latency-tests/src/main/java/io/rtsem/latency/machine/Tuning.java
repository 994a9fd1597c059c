package io.rtsem.latency.machine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code ./rtsem tune --apply} and {@code --revert}: sets what can be set at run time for real-time threads on given
 * CPUs, keeping each replaced value in {@link MachineFiles#STATE_FILE}, and puts those values back byte for byte.
 * What it sets: {@code sched_rt_runtime_us} to -1 (no RT throttling); every interrupt's {@code smp_affinity_list},
 * {@code default_smp_affinity} and the unbound workqueues' {@code cpumask} off the real-time CPUs (to the CPUs they
 * had without them, or to every other online CPU); each {@code scaling_governor} to {@code performance} where cpufreq
 * exists and offers it. Isolated and tickless CPUs are boot parameters and are not touched.
 *
 * <p>Guarantees: (1) the state file is written, with the original of every file about to change, before anything
 * changes; (2) applying again keeps the originals already saved and adds only files not saved yet, so the first
 * originals survive any number of applies; (3) an interrupt that refuses its new affinity (the kernel answers EIO or
 * EPERM for some: EPERM for a managed one) is reported and left as it was, and its original is not kept; any other
 * refused write is reported as a failure; (4) revert writes every saved original back, deletes the state file when all were restored, and keeps the
 * ones that failed in it otherwise. The caller checks that it runs as root. NON_RT; reads and writes kernel files
 * and the state file; allocates; not safe to run twice at once (no lock on the state file).
 */
public final class Tuning {
    /** The governor {@code --apply} sets. */
    public static final String PERFORMANCE = "performance";

    private static final String FORMAT = "rtsem tune state 1";

    /**
     * What an apply or revert did.
     *
     * @param lines  one line per file changed, refused, failed or restored, and a closing line
     * @param failed true if a write that should have worked did not (exit code 3)
     */
    public record Outcome(List<String> lines, boolean failed) {}

    private Tuning() {}

    /**
     * Sets the run-time settings for real-time threads on {@code realTimeCpus}.
     *
     * @param files        the kernel files
     * @param realTimeCpus the CPUs to keep interrupts and unbound kernel work off; not empty, online, and not every
     *                     online CPU
     * @return what was done
     * @throws IllegalArgumentException if {@code realTimeCpus} is empty, holds a CPU that is not online or leaves no
     *                                  online CPU for the rest, naming the CPUs
     * @throws IOException              if the online CPUs or an existing state file cannot be read, or the state file
     *                                  cannot be written (then nothing was changed)
     */
    public static Outcome apply(MachineFiles files, BitSet realTimeCpus) throws IOException {
        Objects.requireNonNull(files, "files");
        return locked(files, () -> applyLocked(files, realTimeCpus));
    }

    /**
     * The lock that keeps two {@code --apply}/{@code --revert} runs apart (the second would read a half-written
     * state, or save tuned values as originals). Outside the state file's directory, which revert removes.
     */
    public static final String LOCK_FILE = "run/rtsem-tune.lock";

    private interface Locked {
        Outcome run() throws IOException;
    }

    /**
     * Runs {@code body} holding {@link #LOCK_FILE} ({@code flock} through {@link FileChannel#tryLock()}).
     *
     * @throws FileSystemException naming the lock file if another process holds it
     */
    private static Outcome locked(MachineFiles files, Locked body) throws IOException {
        Path lockPath = files.path(LOCK_FILE);
        Files.createDirectories(lockPath.getParent());
        try (FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                throw new FileSystemException(
                        lockPath.toString(),
                        null,
                        "another ./rtsem tune --apply or --revert is running (it holds this lock); wait for it to end");
            }
            try (FileLock held = lock) {
                return body.run();
            }
        }
    }

    private static Outcome applyLocked(MachineFiles files, BitSet realTimeCpus) throws IOException {
        BitSet others = othersOf(files, realTimeCpus);
        Map<String, String> targets = plan(files, realTimeCpus, others);
        Path statePath = files.path(MachineFiles.STATE_FILE);
        Map<String, String> originals = Files.exists(statePath) ? load(statePath) : new LinkedHashMap<>();
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, String> t : targets.entrySet()) {
            if (!originals.containsKey(t.getKey())) {
                String now = files.readOrNull(t.getKey());
                if (now != null) {
                    originals.put(t.getKey(), now);
                    added.add(t.getKey());
                }
            }
        }
        if (!added.isEmpty()) {
            save(statePath, originals, realTimeCpus); // (1): before anything changes
        }
        List<String> lines = new ArrayList<>();
        boolean failed = false;
        int refused = 0;
        for (Map.Entry<String, String> t : targets.entrySet()) {
            String file = t.getKey();
            String before = files.readOrNull(file);
            if (before == null) {
                continue;
            }
            try {
                files.write(file, t.getValue());
                lines.add("set " + file + ": " + before.strip() + " -> "
                        + t.getValue().strip());
            } catch (IOException e) {
                if (added.contains(file)) {
                    originals.remove(file); // unchanged: nothing to restore
                }
                if (file.startsWith(MachineFiles.IRQ_DIR + "/") && !file.equals(MachineFiles.DEFAULT_IRQ_AFFINITY)) {
                    refused++;
                    lines.add("refused " + file + " (" + before.strip() + " -> "
                            + t.getValue().strip() + "): " + reason(e)
                            + "; left as it was (the kernel does not move this interrupt)");
                } else {
                    failed = true;
                    lines.add("FAILED " + file + " (" + before.strip() + " -> "
                            + t.getValue().strip() + "): " + reason(e));
                }
            }
        }
        if (originals.isEmpty()) {
            deleteState(statePath);
        } else if (!added.isEmpty()) {
            save(statePath, originals, realTimeCpus);
        }
        int kept = originals.size()
                - (int) added.stream().filter(originals::containsKey).count();
        lines.add((targets.isEmpty() ? "nothing to set: every setting --apply makes was already in place. " : "")
                + (originals.isEmpty()
                        ? "no original value saved (" + statePath + " absent)"
                        : "original values of " + originals.size() + " file(s) in " + statePath
                                + (kept > 0 ? " (" + kept + " kept from an earlier --apply)" : "")
                                + "; ./rtsem tune --revert restores them")
                + (refused > 0 ? "; " + refused + " IRQ(s) refused to move" : ""));
        return new Outcome(List.copyOf(lines), failed);
    }

    /**
     * Writes every value saved by {@link #apply} back, last changed first.
     *
     * @param files the kernel files
     * @return what was done; {@code failed} if a value could not be written back (it stays in the state file)
     * @throws NoSuchFileException if there is no state file (nothing was applied, or it was reverted already)
     * @throws IOException         if the state file cannot be read or parsed, or rewritten after a failure
     */
    public static Outcome revert(MachineFiles files) throws IOException {
        Objects.requireNonNull(files, "files");
        return locked(files, () -> revertLocked(files));
    }

    private static Outcome revertLocked(MachineFiles files) throws IOException {
        Path statePath = files.path(MachineFiles.STATE_FILE);
        if (!Files.exists(statePath)) {
            throw new NoSuchFileException(statePath.toString());
        }
        Map<String, String> originals = load(statePath);
        List<String> keys = new ArrayList<>(originals.keySet());
        Collections.reverse(keys);
        Map<String, String> left = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (String file : keys) {
            if (!files.exists(file)) {
                lines.add("gone " + file + ": no longer exists (a device removed?); nothing to restore");
                continue;
            }
            String before = files.readOrNull(file);
            try {
                files.write(file, originals.get(file));
                lines.add("restored " + file + ": " + (before == null ? "?" : before.strip()) + " -> "
                        + originals.get(file).strip());
            } catch (IOException e) {
                left.put(file, originals.get(file));
                lines.add("FAILED to restore " + file + " to "
                        + originals.get(file).strip() + ": " + reason(e));
            }
        }
        if (left.isEmpty()) {
            deleteState(statePath);
            lines.add("every saved value restored; " + statePath + " deleted");
        } else {
            Map<String, String> ordered = new LinkedHashMap<>();
            originals.forEach((k, v) -> {
                if (left.containsKey(k)) {
                    ordered.put(k, v);
                }
            });
            save(statePath, ordered, null);
            lines.add(left.size() + " value(s) not restored; kept in " + statePath);
        }
        return new Outcome(List.copyOf(lines), !left.isEmpty());
    }

    /**
     * @return the online CPUs that are not real-time CPUs
     * @throws IllegalArgumentException if the real-time CPUs are empty, not all online, or all of them
     */
    static BitSet othersOf(MachineFiles files, BitSet realTimeCpus) throws IOException {
        BitSet online = CpuList.parse(files.read(MachineFiles.ONLINE));
        if (realTimeCpus.isEmpty()) {
            throw new IllegalArgumentException("no real-time CPU given; expected a CPU list such as 1 or 1-3");
        }
        BitSet offline = (BitSet) realTimeCpus.clone();
        offline.andNot(online);
        if (!offline.isEmpty()) {
            throw new IllegalArgumentException(
                    "CPU " + CpuList.format(offline) + " is not online (online: " + CpuList.format(online) + ")");
        }
        BitSet others = (BitSet) online.clone();
        others.andNot(realTimeCpus);
        if (others.isEmpty()) {
            throw new IllegalArgumentException("CPUs " + CpuList.format(realTimeCpus) + " are every online CPU: "
                    + "interrupts and kernel work need at least one other (online: " + CpuList.format(online) + ")");
        }
        return others;
    }

    /** @return file to the value to write, only for files that exist and are not at that value already */
    private static Map<String, String> plan(MachineFiles files, BitSet rt, BitSet others) {
        Map<String, String> targets = new LinkedHashMap<>();
        String runtime = files.readOrNull(MachineFiles.RT_RUNTIME);
        if (runtime != null && !runtime.strip().equals("-1")) {
            targets.put(MachineFiles.RT_RUNTIME, "-1\n");
        }
        for (String f : files.irqAffinityLists()) {
            BitSet now = parseOrNull(files.readOrNull(f), false);
            if (now != null && now.intersects(rt)) {
                targets.put(f, CpuList.format(offThe(now, rt, others)) + "\n");
            }
        }
        for (String f : List.of(MachineFiles.DEFAULT_IRQ_AFFINITY, MachineFiles.WORKQUEUE_CPUMASK)) {
            BitSet now = parseOrNull(files.readOrNull(f), true);
            if (now != null && now.intersects(rt)) {
                targets.put(f, CpuList.formatMask(offThe(now, rt, others)) + "\n");
            }
        }
        for (String f : files.governors()) {
            String now = files.readOrNull(f);
            String available = files.readOrNull(f.replace("scaling_governor", "scaling_available_governors"));
            boolean offered = available == null
                    || List.of(available.strip().split("\\s+")).contains(PERFORMANCE);
            if (now != null && !now.strip().equals(PERFORMANCE) && offered) {
                targets.put(f, PERFORMANCE + "\n");
            }
        }
        return targets;
    }

    /** @return {@code now} without the real-time CPUs, or all the others if nothing would be left */
    private static BitSet offThe(BitSet now, BitSet rt, BitSet others) {
        BitSet b = (BitSet) now.clone();
        b.andNot(rt);
        return b.isEmpty() ? others : b;
    }

    private static BitSet parseOrNull(String s, boolean mask) {
        if (s == null) {
            return null;
        }
        try {
            return mask ? CpuList.parseMask(s) : CpuList.parse(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, String> load(Path statePath) throws IOException {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(statePath.toFile());
        } catch (IOException e) {
            throw new IOException(statePath + ": not an rtsem tune state file (" + reason(e) + ")", e);
        }
        if (doc == null
                || !FORMAT.equals(doc.path("format").asText())
                || !doc.path("originals").isObject()) {
            throw new IOException(statePath + ": not an rtsem tune state file (expected \"format\": \"" + FORMAT
                    + "\" and an \"originals\" object); move it away only if the values it holds are restored");
        }
        Map<String, String> originals = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("originals").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()
                    || e.getKey().startsWith("/")
                    || e.getKey().contains("..")) {
                throw new IOException(statePath + ": originals." + e.getKey()
                        + " is not a text value under the root; not an rtsem tune state file");
            }
            originals.put(e.getKey(), e.getValue().asText());
        }
        return originals;
    }

    private static void save(Path statePath, Map<String, String> originals, BitSet rt) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("savedAt", Instant.now().toString());
        if (rt != null) {
            doc.put("realTimeCpus", CpuList.format(rt));
        }
        doc.put("originals", originals);
        Files.createDirectories(statePath.getParent());
        Path tmp = statePath.resolveSibling(statePath.getFileName() + ".tmp");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), doc);
        Files.move(
                tmp,
                statePath,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes the state file, and its directory when that is left empty (apply created it). */
    private static void deleteState(Path statePath) throws IOException {
        Files.deleteIfExists(statePath);
        try {
            Files.deleteIfExists(statePath.getParent());
        } catch (java.nio.file.DirectoryNotEmptyException keep) {
            // somebody else's files live there too: leave the directory
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
