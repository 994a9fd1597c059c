package io.rtsem.latency.machine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The kernel files rtsem reads and tunes, each resolved against a root directory: {@code /} on a real machine
 * ({@link #SYSTEM}), a fake tree in tests. Paths are given relative to the root ({@code proc/sys/kernel/...}), which
 * is also how {@link Tuning}'s state file names them. Contents are read and written as ISO-8859-1 so that a value
 * written back is byte for byte what was read. NON_RT; every method but the path getters makes a system call.
 *
 * @param root the directory that stands for {@code /}
 */
public record MachineFiles(Path root) {
    /** The real machine. */
    public static final MachineFiles SYSTEM = new MachineFiles(Path.of("/"));

    /** RT throttling: microseconds of each period that real-time threads may use, {@code -1} for no limit. */
    public static final String RT_RUNTIME = "proc/sys/kernel/sched_rt_runtime_us";
    /** RT throttling: the period, microseconds. */
    public static final String RT_PERIOD = "proc/sys/kernel/sched_rt_period_us";
    /** CPUs isolated at boot ({@code isolcpus=}), a CPU list. */
    public static final String ISOLATED = "sys/devices/system/cpu/isolated";
    /** Tickless CPUs ({@code nohz_full=}), a CPU list; absent on a kernel without CONFIG_NO_HZ_FULL. */
    public static final String NOHZ_FULL = "sys/devices/system/cpu/nohz_full";
    /** CPUs online, a CPU list. */
    public static final String ONLINE = "sys/devices/system/cpu/online";
    /** The kernel's boot parameters. */
    public static final String CMDLINE = "proc/cmdline";
    /** One directory per interrupt, each with an {@code smp_affinity_list}. */
    public static final String IRQ_DIR = "proc/irq";
    /** The affinity mask of interrupts not yet set up. */
    public static final String DEFAULT_IRQ_AFFINITY = "proc/irq/default_smp_affinity";
    /** The CPUs unbound kernel workqueues may run on, a mask. */
    public static final String WORKQUEUE_CPUMASK = "sys/devices/virtual/workqueue/cpumask";
    /** One directory per CPU ({@code cpu0}, ...), with {@code cpufreq/scaling_governor} where cpufreq exists. */
    public static final String CPU_DIR = "sys/devices/system/cpu";
    /** This JVM's status: {@code Uid:} and {@code CapEff:}. */
    public static final String SELF_STATUS = "proc/self/status";
    /** This JVM's resource limits: {@code Max realtime priority}. */
    public static final String SELF_LIMITS = "proc/self/limits";
    /** Where {@code ./rtsem tune --apply} keeps the values it replaced (under /run: gone at reboot, as they are). */
    public static final String STATE_FILE = "run/rtsem/tune-state.json";

    /**
     * @param root the directory that stands for {@code /}
     * @throws NullPointerException if {@code root} is null
     */
    public MachineFiles {
        Objects.requireNonNull(root, "root");
    }

    /**
     * @param relative a path relative to the root, such as {@link #RT_RUNTIME}
     * @return it resolved against the root
     */
    public Path path(String relative) {
        return root.resolve(relative);
    }

    /**
     * @param relative a path relative to the root
     * @return what it holds as the kernel gives it (trailing newline kept), or null if it does not exist or cannot
     *         be read
     */
    public String readOrNull(String relative) {
        try {
            return read(relative);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reads a file whole, the first {@code read} call with an 8 KiB buffer: a sysctl file answers a read at a
     * non-zero offset with end of file, so one that starts small (as {@link Files#readAllBytes} does for a file whose
     * size is 0, as every /proc file's is) gets the first byte only.
     *
     * @param relative a path relative to the root
     * @return what it holds, byte for byte (ISO-8859-1)
     * @throws IOException if it cannot be read
     */
    public String read(String relative) throws IOException {
        try (InputStream in = Files.newInputStream(path(relative))) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Writes a value in one {@code write} call at offset 0 (as a sysctl or sysfs file needs it), without creating
     * the file.
     *
     * @param relative a path relative to the root
     * @param value    the bytes to write (ISO-8859-1)
     * @throws IOException if the file does not exist or the kernel refuses the value
     */
    public void write(String relative, String value) throws IOException {
        Files.write(
                path(relative),
                value.getBytes(StandardCharsets.ISO_8859_1),
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * @param relative a path relative to the root
     * @return whether it exists
     */
    public boolean exists(String relative) {
        return Files.exists(path(relative));
    }

    /**
     * @return the interrupts that have an {@code smp_affinity_list}, by number, as paths relative to the root
     *         ({@code proc/irq/24/smp_affinity_list}); empty if {@code /proc/irq} cannot be listed
     */
    public List<String> irqAffinityLists() {
        return numbered(IRQ_DIR, "", "smp_affinity_list");
    }

    /** @return every {@code cpuN/cpufreq/scaling_governor} that exists, by CPU number, relative to the root */
    public List<String> governors() {
        return numbered(CPU_DIR, "cpu", "cpufreq/scaling_governor");
    }

    private List<String> numbered(String dir, String prefix, String file) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(path(dir))) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix)
                            && n.length() > prefix.length()
                            && n.length() <= prefix.length() + 9
                            && n.substring(prefix.length()).chars().allMatch(Character::isDigit))
                    .sorted((a, b) -> Integer.compare(
                            Integer.parseInt(a.substring(prefix.length())),
                            Integer.parseInt(b.substring(prefix.length()))))
                    .map(n -> dir + "/" + n + "/" + file)
                    .filter(this::exists)
                    .forEach(out::add);
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }
}
