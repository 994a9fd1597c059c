package io.rtsem.latency.machine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this machine's kernel says about real time, read once from {@link MachineFiles}: RT throttling, isolated and
 * tickless CPUs, the boot parameters that set them, where interrupts and unbound kernel work may run, the CPU
 * frequency governors, this JVM's CAP_SYS_NICE and RLIMIT_RTPRIO, and whether {@code ./rtsem tune --apply} left a
 * state file. A value that could not be read is null. Read once and not changed afterwards (its BitSets and maps
 * are the parsed values, not copies: callers must not modify them). NON_RT: {@link #read} reads a few dozen small
 * files and allocates.
 *
 * @param rtRuntimeUs        {@code sched_rt_runtime_us} (-1: no throttling), or null
 * @param rtPeriodUs         {@code sched_rt_period_us}, or null
 * @param isolated           the isolated CPUs ({@code isolcpus=}), or null if the file is missing
 * @param nohzFull           the tickless CPUs, or null on a kernel without nohz_full
 * @param online             the online CPUs, or null
 * @param bootParameters     the real-time boot parameters found in {@code /proc/cmdline} ({@code isolcpus=...},
 *                           {@code nohz_full=...}, {@code irqaffinity=...}, {@code rcu_nocbs=...})
 * @param irqAffinity        each interrupt's {@code smp_affinity_list}, by IRQ number ({@code "24"}), unreadable
 *                           ones left out
 * @param defaultIrqAffinity {@code default_smp_affinity}, or null
 * @param workqueueCpus      the unbound workqueues' {@code cpumask}, or null
 * @param governors          each CPU's {@code scaling_governor} by CPU number; empty without cpufreq
 * @param effectiveUid       this JVM's effective user id, or null
 * @param capSysNice         whether CAP_SYS_NICE is in this JVM's effective capabilities, or null
 * @param rtprioSoft         RLIMIT_RTPRIO's soft limit as {@code /proc/self/limits} prints it, or null
 * @param rtprioHard         its hard limit, or null
 * @param tuneState          whether {@link MachineFiles#STATE_FILE} exists (rtsem's tuning is applied)
 */
public record MachineState(
        Long rtRuntimeUs,
        Long rtPeriodUs,
        BitSet isolated,
        BitSet nohzFull,
        BitSet online,
        List<String> bootParameters,
        Map<String, BitSet> irqAffinity,
        BitSet defaultIrqAffinity,
        BitSet workqueueCpus,
        Map<String, String> governors,
        Integer effectiveUid,
        Boolean capSysNice,
        String rtprioSoft,
        String rtprioHard,
        boolean tuneState) {

    /** CAP_SYS_NICE's bit in a capability set (linux/capability.h). */
    static final int CAP_SYS_NICE = 23;

    private static final List<String> BOOT_KEYS = List.of("isolcpus=", "nohz_full=", "irqaffinity=", "rcu_nocbs=");

    /**
     * Reads the machine's state.
     *
     * @param files the kernel files, resolved against their root
     * @return what they say; a file that is missing or malformed gives null (or an empty collection)
     */
    public static MachineState read(MachineFiles files) {
        List<String> boot = new ArrayList<>();
        String cmdline = files.readOrNull(MachineFiles.CMDLINE);
        if (cmdline != null) {
            for (String word : cmdline.strip().split("\\s+")) {
                if (BOOT_KEYS.stream().anyMatch(word::startsWith)) {
                    boot.add(word);
                }
            }
        }
        Map<String, BitSet> irqs = new LinkedHashMap<>();
        for (String f : files.irqAffinityLists()) {
            BitSet cpus = list(files.readOrNull(f));
            if (cpus != null) {
                irqs.put(f.split("/")[2], cpus);
            }
        }
        Map<String, String> governors = new LinkedHashMap<>();
        for (String f : files.governors()) {
            String g = files.readOrNull(f);
            if (g != null) {
                governors.put(f.split("/")[4].substring(3), g.strip());
            }
        }
        String status = files.readOrNull(MachineFiles.SELF_STATUS);
        String uid = field(status, "Uid:", 1);
        String capEff = field(status, "CapEff:", 0);
        Boolean capSysNice = null;
        if (capEff != null) {
            try {
                capSysNice = (Long.parseUnsignedLong(capEff, 16) & (1L << CAP_SYS_NICE)) != 0;
            } catch (NumberFormatException e) {
                capSysNice = null;
            }
        }
        String limits = files.readOrNull(MachineFiles.SELF_LIMITS);
        return new MachineState(
                number(files.readOrNull(MachineFiles.RT_RUNTIME)),
                number(files.readOrNull(MachineFiles.RT_PERIOD)),
                list(files.readOrNull(MachineFiles.ISOLATED)),
                list(files.readOrNull(MachineFiles.NOHZ_FULL)),
                list(files.readOrNull(MachineFiles.ONLINE)),
                List.copyOf(boot),
                java.util.Collections.unmodifiableMap(irqs),
                mask(files.readOrNull(MachineFiles.DEFAULT_IRQ_AFFINITY)),
                mask(files.readOrNull(MachineFiles.WORKQUEUE_CPUMASK)),
                java.util.Collections.unmodifiableMap(governors),
                uid == null || !uid.chars().allMatch(Character::isDigit) || uid.length() > 9
                        ? null
                        : Integer.valueOf(uid),
                capSysNice,
                limitField(limits, 0),
                limitField(limits, 1),
                files.exists(MachineFiles.STATE_FILE));
    }

    /** @return true if RT throttling limits real-time threads (runtime below the period), false if not, null unknown */
    public Boolean throttled() {
        if (rtRuntimeUs == null) {
            return null;
        }
        return rtRuntimeUs >= 0 && (rtPeriodUs == null || rtRuntimeUs < rtPeriodUs);
    }

    /**
     * @return one line for a run's summary: RT throttling, isolated and tickless CPUs, CAP_SYS_NICE, and whether
     *         rtsem's tuning is applied
     */
    public String summary() {
        Boolean on = throttled();
        String throttling = on == null
                ? "RT throttling unknown"
                : on
                        ? "RT throttling on (" + rtRuntimeUs + "/" + rtPeriodUs
                                + " us: a SCHED_FIFO spinner is stopped " + (rtPeriodUs - rtRuntimeUs) / 1000
                                + " ms of every " + rtPeriodUs / 1000 + " ms)"
                        : "RT throttling off (sched_rt_runtime_us " + rtRuntimeUs + ")";
        return throttling
                + ", isolated CPUs: " + cpus(isolated, "unknown")
                + ", nohz_full: " + cpus(nohzFull, "not in this kernel")
                + ", CAP_SYS_NICE: " + (capSysNice == null ? "unknown" : capSysNice ? "yes" : "no")
                + ", rtsem tune: " + (tuneState ? "applied" : "not applied") + " (./rtsem tune, docs/DEPLOYING.md)";
    }

    /** @return the CPU list, "none" for an empty one, {@code absent} for null */
    private static String cpus(BitSet b, String absent) {
        return b == null ? absent : b.isEmpty() ? "none" : CpuList.format(b);
    }

    /**
     * @param b a CPU set or null
     * @return its CPU list, or null
     */
    public static String listOrNull(BitSet b) {
        return b == null ? null : CpuList.format(b);
    }

    private static Long number(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Long.valueOf(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static BitSet list(String s) {
        if (s == null) {
            return null;
        }
        try {
            return CpuList.parse(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static BitSet mask(String s) {
        if (s == null) {
            return null;
        }
        try {
            return CpuList.parseMask(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** @return the {@code index}-th word after {@code key} on the line that starts with it, or null */
    private static String field(String text, String key, int index) {
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(key)) {
                String[] words = line.substring(key.length()).strip().split("\\s+");
                return index < words.length ? words[index] : null;
            }
        }
        return null;
    }

    /** @return RLIMIT_RTPRIO's soft (0) or hard (1) limit from /proc/self/limits, or null */
    private static String limitField(String limits, int index) {
        return field(limits, "Max realtime priority", index);
    }
}
