package io.rtsem.latency.bench.bridge;

import io.rtsem.bridge.NamedSemaphore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * {@code ./rtsem bench-named}: the named semaphore's cross-process figures, each against a baseline measured in the
 * same run (README "Figures", docs/BRIDGE.md).
 *
 * <p><b>A. HARD hand-off.</b> A ping-pong on two semaphores, both sides HARD (spinning acquire, no system call), timed
 * by the pinger's {@code System.nanoTime()} over the round trip; a one-way hand-off is half of it. Arms, each in fresh
 * JVMs ({@link NamedBenchChild}): {@code rt}, two threads of one JVM on two {@code RtSemaphore}s (the baseline);
 * {@code named}, pinger and ponger in two JVMs on two {@code NamedSemaphore}s; {@code jdk-word} and
 * {@code chronicle-word}, two JVMs on the same named-semaphore files driven by one minimal loop, through a JDK
 * {@code VarHandle} on a {@code MappedByteBuffer} and through Chronicle Core's {@code OS.map} +
 * {@code UnsafeMemory.compareAndSwapLong}, alternating every 256 round trips in the same two JVMs (so both see the
 * same placement of the vCPUs, which flips between runs here). The arms run one after the other, {@code passes} times
 * in turn.
 *
 * <p><b>B. Wake of a sleeping waiter by a C {@code sem_post}.</b> A C poster ({@code namedbench.c}, compiled with gcc
 * at run time) waits until the waiter has taken the last permit and registered as a sleeper, sleeps {@code gapMicros}
 * so that it is asleep in the kernel, reads {@code CLOCK_MONOTONIC} and posts; the waiter reads the same clock when it
 * returns ({@code System.nanoTime()} is {@code CLOCK_MONOTONIC} on Linux). Arms: a C {@code sem_wait} waiter (the
 * baseline) and a Java NON_RT {@code NamedSemaphore.acquire()} on a thread of this JVM; both in turn,
 * {@code passes} times. The first fifth of each arm's rounds (at most 200) is discarded as warm-up.
 *
 * <p><b>C. The named wake service's own cost.</b> CPU time of this JVM's {@code rtsem-named-wake-service} thread
 * ({@code ThreadMXBean}) over {@link #SERVICE_MILLIS} with one semaphore open and nobody waiting, then with one NON_RT
 * sleeper registered.
 *
 * <p>Nothing is pinned. Processes: this JVM plus at most two children at a time. NON_RT: starts processes, allocates,
 * blocks until they finish (each bounded by {@link #CHILD_TIMEOUT_SECONDS}).
 */
public final class NamedBench {
    /** The longest a child process may run before it is killed and the run fails. */
    static final long CHILD_TIMEOUT_SECONDS = 60;

    /** Hand-off arms, in the order they run within a pass. */
    static final List<String> HANDOFF_ARMS = List.of("rt", "named", "jdk-word", "chronicle-word");
    /** The child kinds that produce them ({@code words} yields jdk-word and chronicle-word, interleaved). */
    static final List<String> HANDOFF_KINDS = List.of("rt", "named", "words");
    /** Wake arms, in the order they run within a pass. */
    static final List<String> WAKE_ARMS = List.of("c", "java");

    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Sizes of a run. */
    public static final class Options {
        /** Hand-off round trips discarded per arm before measuring. */
        public int warmup = 100_000;
        /** Hand-off round trips measured per arm and pass (fewer if {@link #armMillis} runs out first). */
        public int rounds = 200_000;
        /** The longest a hand-off arm's pinger runs, warm-up included, in ms. */
        public long armMillis = 5_000;
        /** Wake-ups measured per wake arm and pass. */
        public int wakeRounds = 2_000;
        /** How long the C poster sleeps between seeing the waiter registered and posting, in µs. */
        public int gapMicros = 200;
        /** How many times each arm runs, in turn with the others. */
        public int passes = 2;
    }

    /** What a run measured: per arm, one histogram per pass (ns). */
    public static final class Result {
        /** Hand-off round trips by arm, one histogram per pass. */
        public final Map<String, List<Histogram>> handoff = new LinkedHashMap<>();
        /** Wake latencies by arm, one histogram per pass. */
        public final Map<String, List<Histogram>> wake = new LinkedHashMap<>();
        /**
         * The named wake service's CPU time per second of wall time, in ns: [0] with a semaphore open and nobody
         * waiting (1 ms poll), [1] with one NON_RT sleeper registered (20 µs poll).
         */
        public final long[] serviceCpuNanosPerSecond = new long[2];

        /**
         * All passes of one arm merged.
         *
         * @param byArm {@link #handoff} or {@link #wake}.
         * @param arm an arm's name.
         * @return a new histogram.
         */
        public static Histogram merged(Map<String, List<Histogram>> byArm, String arm) {
            Histogram all = new Histogram(3_600_000_000_000L, 3);
            for (Histogram h : byArm.get(arm)) {
                all.add(h);
            }
            return all;
        }
    }

    private final Options options;
    private final PrintWriter progress;
    private Path tool;

    /**
     * @param options sizes of the run.
     * @param progress where to say what runs now (one line per arm).
     */
    public NamedBench(Options options, PrintWriter progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Runs every arm {@code passes} times.
     *
     * @return the histograms.
     * @throws IOException if gcc or a child fails (the message names it and carries its error output).
     * @throws InterruptedException if interrupted while waiting for a child.
     */
    public Result run() throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("rtsem-bench-named");
        try {
            tool = compile(work);
            Result r = new Result();
            for (int pass = 1; pass <= options.passes; pass++) {
                for (String kind : HANDOFF_KINDS) {
                    progress.printf("bench-named: pass %d/%d, hand-off %s%n", pass, options.passes, kind);
                    progress.flush();
                    for (Map.Entry<String, Histogram> e : handoff(kind, work).entrySet()) {
                        r.handoff
                                .computeIfAbsent(e.getKey(), a -> new ArrayList<>())
                                .add(e.getValue());
                    }
                }
                for (String arm : WAKE_ARMS) {
                    progress.printf(
                            "bench-named: pass %d/%d, wake by C sem_post, %s waiter%n", pass, options.passes, arm);
                    progress.flush();
                    r.wake.computeIfAbsent(arm, a -> new ArrayList<>()).add(wake(arm));
                }
            }
            progress.printf("bench-named: the named wake service's CPU time, idle and with a sleeper%n");
            progress.flush();
            wakeServiceCpu(r);
            return r;
        } finally {
            try (var files = Files.list(work)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    // ---------------------------------------------------------------- A. hand-off

    private Map<String, Histogram> handoff(String arm, Path work) throws IOException, InterruptedException {
        if (arm.equals("rt")) {
            Process both = child(arm, "both", "-", "-", work);
            return histogramOf(both, arm + " both");
        }
        String ping = uniqueName("ping");
        String pong = uniqueName("pong");
        NamedSemaphore.create(ping, 0).close();
        NamedSemaphore.create(pong, 0).close();
        Process ponger = null;
        try {
            ponger = child(arm, "ponger", ping, pong, work);
            String first = reader(ponger.getInputStream()).readLine(); // its set-up done: mapped, classes loaded
            if (!"ready".equals(first)) {
                finish(ponger, arm + " ponger");
                throw new IOException("bench-named: " + arm + " ponger did not get ready (printed " + first + ")");
            }
            Process pinger = child(arm, "pinger", ping, pong, work);
            Map<String, Histogram> h = histogramOf(pinger, arm + " pinger");
            if (h.values().stream().allMatch(x -> x.getTotalCount() == 0) && !ponger.isAlive()) {
                throw new IOException("bench-named: " + arm + " ponger exited with " + ponger.exitValue()
                        + errorOutput(arm + " ponger"));
            }
            return h; // the ponger waits for a ping that will not come: killed below

        } finally {
            if (ponger != null) {
                ponger.destroyForcibly();
            }
            NamedSemaphore.unlink(ping);
            NamedSemaphore.unlink(pong);
        }
    }

    private Process child(String kind, String role, String ping, String pong, Path work) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens")
                    || a.startsWith("--add-exports")
                    || a.startsWith("--enable-native-access")
                    || a.startsWith("--sun-misc-unsafe-memory-access")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of(
                "-Xms64m",
                "-Xmx256m",
                "-Dchronicle.analytics.disable=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                NamedBenchChild.class.getName(),
                kind,
                role,
                ping,
                pong,
                Integer.toString(options.warmup),
                Integer.toString(options.rounds),
                Long.toString(options.armMillis)));
        Path err = work.resolve(kind + "-" + role + ".err");
        errorFiles.put(kind + " " + role, err);
        return new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    }

    private Map<String, Histogram> histogramOf(Process p, String what) throws IOException, InterruptedException {
        Map<String, Histogram> byTag = new LinkedHashMap<>();
        try (BufferedReader out = reader(p.getInputStream())) {
            for (String line; (line = out.readLine()) != null; ) {
                String[] f = line.split(" ");
                if (f.length == 3 && f[0].equals("HIST")) {
                    try {
                        byTag.put(
                                f[1],
                                Histogram.decodeFromCompressedByteBuffer(
                                        ByteBuffer.wrap(Base64.getDecoder().decode(f[2])), 0));
                    } catch (DataFormatException e) {
                        throw new IOException("bench-named: " + what + " printed a histogram that does not decode", e);
                    }
                }
            }
        }
        finish(p, what);
        if (byTag.isEmpty()) {
            throw new IOException("bench-named: " + what + " printed no histogram");
        }
        return byTag;
    }

    private void finish(Process p, String what) throws IOException, InterruptedException {
        if (!p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("bench-named: " + what + " still running after " + CHILD_TIMEOUT_SECONDS
                    + " s: killed (" + p.info().commandLine().orElse("?") + ")");
        }
        if (p.exitValue() != 0) {
            throw new IOException("bench-named: " + what + " exited with " + p.exitValue() + errorOutput(what));
        }
    }

    // ---------------------------------------------------------------- B. wake by a C sem_post

    private Histogram wake(String arm) throws IOException, InterruptedException {
        String name = uniqueName("wake");
        int rounds = options.wakeRounds + warmupWakes();
        NamedSemaphore.create(name, 0).close();
        Process waiter = null;
        Process poster = null;
        try {
            long[] woken;
            if (arm.equals("c")) {
                waiter = tool("waiter", name, rounds);
                poster = tool("poster", name, rounds, options.gapMicros);
                woken = times(waiter, rounds, "C waiter");
            } else {
                long[] t1 = new long[rounds];
                Throwable[] failed = new Throwable[1];
                Thread java = new Thread(
                        () -> {
                            try (NamedSemaphore sem = NamedSemaphore.open(name)) {
                                for (int i = 0; i < rounds; i++) {
                                    sem.acquire(); // NON_RT: spins briefly, registers, sleeps in futex (N7)
                                    t1[i] = System.nanoTime();
                                }
                            } catch (Throwable e) {
                                failed[0] = e;
                            }
                        },
                        "bench-named-java-waiter");
                java.setDaemon(true);
                java.start();
                poster = tool("poster", name, rounds, options.gapMicros);
                java.join(TimeUnit.SECONDS.toMillis(CHILD_TIMEOUT_SECONDS));
                if (java.isAlive() || failed[0] != null) {
                    java.interrupt();
                    throw new IOException("bench-named: the Java waiter did not finish", failed[0]);
                }
                woken = t1;
            }
            long[] posted = times(poster, rounds, "C poster");
            Histogram h = new Histogram(3_600_000_000_000L, 3);
            for (int i = warmupWakes(); i < rounds; i++) {
                h.recordValue(Math.max(0, woken[i] - posted[i]));
            }
            return h;
        } finally {
            if (waiter != null) {
                waiter.destroyForcibly();
            }
            if (poster != null) {
                poster.destroyForcibly();
            }
            NamedSemaphore.unlink(name);
        }
    }

    // ---------------------------------------------------------------- C. the wake service's own cost

    /** How long each state of the wake-service measurement lasts. */
    static final long SERVICE_MILLIS = 2_000;

    /**
     * Measures the CPU time of this JVM's named wake service thread (N5) from {@code ThreadMXBean} over
     * {@link #SERVICE_MILLIS} with one semaphore open and nobody waiting, then as long with one NON_RT thread asleep in
     * {@code acquire()} (registered, so the service polls at its fast interval).
     */
    private void wakeServiceCpu(Result r) throws IOException, InterruptedException {
        String name = uniqueName("service");
        try (NamedSemaphore sem = NamedSemaphore.create(name, 0)) {
            Thread service = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("rtsem-named-wake-service"))
                    .findFirst()
                    .orElseThrow(() -> new IOException("bench-named: no rtsem-named-wake-service thread"));
            Thread.sleep(100);
            r.serviceCpuNanosPerSecond[0] = cpuPerSecond(service);
            Thread sleeper = new Thread(
                    () -> {
                        try {
                            sem.acquire();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "bench-named-sleeper");
            sleeper.setDaemon(true);
            sleeper.start();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sem.registeredWaiters() == 0 && System.nanoTime() < giveUp) {
                Thread.sleep(1);
            }
            Thread.sleep(100);
            r.serviceCpuNanosPerSecond[1] = cpuPerSecond(service);
            sem.release();
            sleeper.join(TimeUnit.SECONDS.toMillis(10));
        } finally {
            NamedSemaphore.unlink(name);
        }
    }

    private static long cpuPerSecond(Thread t) throws InterruptedException {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getThreadCpuTime(t.getId());
        long wall0 = System.nanoTime();
        Thread.sleep(SERVICE_MILLIS);
        long cpu = mx.getThreadCpuTime(t.getId()) - cpu0;
        long wall = System.nanoTime() - wall0;
        return cpu * 1_000_000_000L / wall;
    }

    private int warmupWakes() {
        return Math.min(200, options.wakeRounds / 5);
    }

    private Process tool(String cmd, String name, long... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(tool.toString(), cmd, "/" + name));
        for (long a : args) {
            command.add(Long.toString(a));
        }
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return p;
    }

    private long[] times(Process p, int rounds, String what) throws IOException, InterruptedException {
        long[] t = new long[rounds];
        int n = 0;
        try (BufferedReader out = reader(p.getInputStream())) {
            String first = out.readLine();
            if (!"ready".equals(first)) {
                throw new IOException("bench-named: " + what + " did not open its semaphore (printed " + first + ")");
            }
            for (String line; (line = out.readLine()) != null && n < rounds; ) {
                t[n++] = Long.parseLong(line.trim());
            }
        }
        finish(p, what);
        if (n != rounds) {
            throw new IOException("bench-named: " + what + " printed " + n + " times, expected " + rounds);
        }
        return t;
    }

    /** Compiles namedbench.c (a resource of this jar) with gcc into {@code work}. */
    private static Path compile(Path work) throws IOException, InterruptedException {
        Path src = work.resolve("namedbench.c");
        try (InputStream in = NamedBench.class.getResourceAsStream("namedbench.c")) {
            if (in == null) {
                throw new IOException("bench-named: namedbench.c is missing from the class path");
            }
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        Path bin = work.resolve("namedbench");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-pthread", "-o", bin.toString(), src.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new IOException(
                    "bench-named: cannot run gcc, which compiles the C side (apt-get install gcc): " + e.getMessage());
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gcc.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException("bench-named: gcc failed on namedbench.c:\n" + output);
        }
        return bin;
    }

    private final Map<String, Path> errorFiles = new LinkedHashMap<>();

    private String errorOutput(String what) {
        Path f = errorFiles.get(what);
        if (f == null) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            return "; its error output:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private static String uniqueName(String what) {
        return "rtsem-bench-" + ProcessHandle.current().pid() + "-" + what + "-" + NAMES.incrementAndGet();
    }

    // ---------------------------------------------------------------- report

    private static final double[] PERCENTILES = {50, 99, 99.9};

    /**
     * The run as text: per arm and pass p50, p99, p99.9, max and count; then the ratios to the baseline over all
     * passes merged.
     *
     * @param r a run's result.
     * @return lines ending in {@code \n}.
     */
    public static String render(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("A. HARD hand-off, ping-pong on two semaphores, round trip in ns (one-way = half), "
                + "timed by the pinger:\n");
        table(
                sb,
                r.handoff,
                Map.of(
                        "rt", "RtSemaphore, 2 threads of 1 JVM (baseline)",
                        "named", "NamedSemaphore (JDK MappedByteBuffer + VarHandle), 2 JVMs",
                        "jdk-word", "word loop, JDK MappedByteBuffer + VarHandle, 2 JVMs",
                        "chronicle-word", "word loop, Chronicle OS.map + UnsafeMemory CAS, 2 JVMs"));
        ratio(sb, r.handoff, "named", "rt", "NamedSemaphore 2 JVMs / RtSemaphore 1 JVM");
        ratio(sb, r.handoff, "jdk-word", "rt", "JDK word 2 JVMs / RtSemaphore 1 JVM");
        ratio(sb, r.handoff, "chronicle-word", "jdk-word", "Chronicle word / JDK word");
        ratio(sb, r.handoff, "named", "jdk-word", "NamedSemaphore / JDK word");
        sb.append("\nB. Wake of a sleeping waiter by a C sem_post, one way in ns (post to waiter running):\n");
        table(
                sb,
                r.wake,
                Map.of(
                        "c", "C sem_wait (baseline)",
                        "java", "Java NON_RT NamedSemaphore.acquire()"));
        ratio(sb, r.wake, "java", "c", "Java NON_RT waiter / C waiter");
        sb.append(String.format(
                Locale.ROOT,
                "%nC. The JVM's named wake service thread (N5), CPU time per second of wall time over %d s each:%n"
                        + "  one semaphore open, nobody waiting (1 ms poll):   %8.3f ms/s%n"
                        + "  one NON_RT sleeper registered (20 us poll):       %8.3f ms/s%n",
                SERVICE_MILLIS / 1000,
                r.serviceCpuNanosPerSecond[0] / 1e6,
                r.serviceCpuNanosPerSecond[1] / 1e6));
        return sb.toString();
    }

    private static void table(StringBuilder sb, Map<String, List<Histogram>> byArm, Map<String, String> labels) {
        String row = "  %-58s %4s %9s %9s %9s %11s %9s%n";
        sb.append(String.format(Locale.ROOT, row, "arm", "pass", "p50", "p99", "p99.9", "max", "count"));
        for (Map.Entry<String, List<Histogram>> e : byArm.entrySet()) {
            int pass = 0;
            for (Histogram h : e.getValue()) {
                pass++;
                if (h.getTotalCount() == 0) {
                    sb.append(String.format(
                            Locale.ROOT,
                            "  %-58s %4s   no sample: the arm's time ran out in its warm-up (a busy machine)%n",
                            labels.getOrDefault(e.getKey(), e.getKey()),
                            pass));
                    continue;
                }
                sb.append(String.format(
                        Locale.ROOT,
                        row,
                        labels.getOrDefault(e.getKey(), e.getKey()),
                        pass,
                        h.getValueAtPercentile(50),
                        h.getValueAtPercentile(99),
                        h.getValueAtPercentile(99.9),
                        h.getMaxValue(),
                        h.getTotalCount()));
            }
        }
    }

    private static void ratio(
            StringBuilder sb, Map<String, List<Histogram>> byArm, String arm, String base, String label) {
        Histogram a = Result.merged(byArm, arm);
        Histogram b = Result.merged(byArm, base);
        sb.append(String.format(Locale.ROOT, "  %-44s", label + ", all passes:"));
        if (a.getTotalCount() == 0 || b.getTotalCount() == 0) {
            sb.append("  n/a (an arm has no sample)\n");
            return;
        }
        for (double p : PERCENTILES) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  p%s %.2f",
                    p == 99.9 ? "99.9" : Integer.toString((int) p),
                    (double) a.getValueAtPercentile(p) / b.getValueAtPercentile(p)));
        }
        sb.append('\n');
    }
}
