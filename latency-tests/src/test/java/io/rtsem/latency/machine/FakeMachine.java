package io.rtsem.latency.machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A fake {@code /proc} and {@code /sys} under a test's temporary directory: 4 CPUs online, RT throttling on
 * (950000/1000000), nothing isolated, no nohz_full, three IRQs (24 on 0-3, 25 on 2, 26 on 0), default IRQ affinity
 * and workqueue cpumask {@code f}, cpufreq with {@code powersave} on every CPU, this JVM as root with CAP_SYS_NICE.
 */
public final class FakeMachine {
    private FakeMachine() {}

    /**
     * Writes the tree.
     *
     * @param root the directory that stands for /
     * @return the kernel files resolved against it
     * @throws IOException if a file cannot be written
     */
    public static MachineFiles create(Path root) throws IOException {
        put(root, MachineFiles.RT_RUNTIME, "950000\n");
        put(root, MachineFiles.RT_PERIOD, "1000000\n");
        put(root, MachineFiles.ISOLATED, "\n");
        put(root, MachineFiles.ONLINE, "0-3\n");
        put(root, MachineFiles.CMDLINE, "BOOT_IMAGE=/vmlinuz root=/dev/vda quiet\n");
        put(root, "proc/irq/24/smp_affinity_list", "0-3\n");
        put(root, "proc/irq/25/smp_affinity_list", "2\n");
        put(root, "proc/irq/26/smp_affinity_list", "0\n");
        put(root, MachineFiles.DEFAULT_IRQ_AFFINITY, "f\n");
        put(root, MachineFiles.WORKQUEUE_CPUMASK, "f\n");
        for (int cpu = 0; cpu < 4; cpu++) {
            put(root, "sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_governor", "powersave\n");
            put(
                    root,
                    "sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_available_governors",
                    "performance powersave\n");
        }
        uid(root, 0);
        put(
                root,
                MachineFiles.SELF_LIMITS,
                "Limit                     Soft Limit           Hard Limit           Units     \n"
                        + "Max realtime priority     0                    0                    \n");
        return new MachineFiles(root);
    }

    /**
     * Makes this JVM's fake effective uid {@code uid} (CAP_SYS_NICE only for 0).
     *
     * @param root the fake tree
     * @param uid  the effective uid
     * @throws IOException if the file cannot be written
     */
    public static void uid(Path root, int uid) throws IOException {
        put(
                root,
                MachineFiles.SELF_STATUS,
                "Name:\tjava\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid + "\nCapEff:\t"
                        + (uid == 0 ? "000001fffeffffff" : "0000000000000000") + "\n");
    }

    /**
     * Writes one file of the tree.
     *
     * @param root     the fake tree
     * @param relative its path under the root
     * @param content  what it holds
     * @throws IOException if it cannot be written
     */
    public static void put(Path root, String relative, String content) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    /**
     * @param root the fake tree
     * @return every regular file under it but the state file's directory, path to content
     * @throws IOException if the tree cannot be read
     */
    public static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                if (!rel.startsWith("run/")) {
                    files.put(rel, Files.readString(p));
                }
            }
        }
        return files;
    }
}
