package io.rtsem.latency.machine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code ./rtsem tune}'s judgement of a {@link MachineState}: one line per setting, each saying whether it is ready
 * for real-time threads on the given CPUs, what it costs a HARD or SOFT thread if not, and whether
 * {@code --apply} can change it or only a boot parameter can. Figures in the lines come from the machine's own
 * values (the throttled share is {@code period - runtime}); measured consequences are in docs/DEPLOYING.md.
 * NON_RT; allocates.
 */
public final class Readiness {
    /** Tag of a line whose setting is ready. */
    public static final String OK = "ok ";
    /** Tag of a line whose setting costs real-time threads something. */
    public static final String NO = "NO ";
    /** Tag of a line about something absent or unknown. */
    public static final String NA = "-- ";

    private Readiness() {}

    /**
     * @param s  the machine's state
     * @param rt the CPUs real-time threads are (to be) pinned to
     * @return the lines, each starting with {@link #OK}, {@link #NO} or {@link #NA}
     */
    public static List<String> lines(MachineState s, BitSet rt) {
        String cpus = "CPU" + (rt.cardinality() == 1 ? " " : "s ") + CpuList.format(rt);
        List<String> out = new ArrayList<>();
        out.add(throttling(s));
        out.add(isolation(s, rt, cpus));
        out.add(nohz(s, rt, cpus));
        out.add(irqs(s, rt, cpus));
        out.add(workqueues(s, rt, cpus));
        out.add(governors(s, rt));
        out.add(capability(s));
        out.add(rtprio(s));
        return out;
    }

    private static String throttling(MachineState s) {
        Boolean on = s.throttled();
        if (on == null) {
            return NA + "RT throttling: cannot read /" + MachineFiles.RT_RUNTIME + "; whether a SCHED_FIFO spinner is "
                    + "stopped each period is unknown";
        }
        if (!on) {
            return OK + "RT throttling off (sched_rt_runtime_us " + s.rtRuntimeUs() + "): a SCHED_FIFO spinner (HARD)"
                    + " is never stopped by the kernel; a runaway FIFO thread can take its whole CPU, so keep CPU "
                    + "time for the rest elsewhere";
        }
        long stoppedUs = s.rtPeriodUs() - s.rtRuntimeUs();
        return NO
                + String.format(
                        Locale.ROOT,
                        "RT throttling on (%d/%d): a SCHED_FIFO spinner (HARD) is stopped %s each %s, and every"
                                + " FIFO thread on its CPU (SOFT included) waits out the same stop. --apply: "
                                + "sched_rt_runtime_us -1",
                        s.rtRuntimeUs(),
                        s.rtPeriodUs(),
                        duration(stoppedUs),
                        s.rtPeriodUs() == 1_000_000 ? "second" : duration(s.rtPeriodUs()));
    }

    private static String isolation(MachineState s, BitSet rt, String cpus) {
        String boot = " Boot parameter isolcpus=" + CpuList.format(rt) + "; cannot be set at run time";
        if (s.isolated() == null) {
            return NA + "isolcpus: cannot read /" + MachineFiles.ISOLATED + "." + boot;
        }
        BitSet missing = minus(rt, s.isolated());
        if (missing.isEmpty()) {
            return OK + "isolcpus: " + cpus + " isolated (" + CpuList.format(s.isolated()) + "): the scheduler puts no "
                    + "thread there that is not pinned there";
        }
        return NO + "isolcpus: "
                + (s.isolated().isEmpty()
                        ? "no CPU isolated"
                        : "isolated " + CpuList.format(s.isolated()) + ", not " + CpuList.format(missing))
                + ": other processes and kernel threads may run on " + cpus
                + " and preempt or delay a HARD or SOFT thread there (./rtsem validate keeps only its own JVM's "
                + "other threads off)." + boot;
    }

    private static String nohz(MachineState s, BitSet rt, String cpus) {
        String boot = " Boot parameter nohz_full=" + CpuList.format(rt) + " (a kernel built with CONFIG_NO_HZ_FULL); "
                + "cannot be set at run time";
        if (s.nohzFull() == null) {
            return NO + "nohz_full: this kernel has none (/" + MachineFiles.NOHZ_FULL + " absent): the scheduler tick "
                    + "interrupts a HARD spinner on " + cpus + " at every tick." + boot;
        }
        BitSet missing = minus(rt, s.nohzFull());
        if (missing.isEmpty()) {
            return OK + "nohz_full: " + cpus + " tickless (" + CpuList.format(s.nohzFull()) + "): a lone HARD spinner "
                    + "there runs without the scheduler tick";
        }
        return NO + "nohz_full: "
                + (s.nohzFull().isEmpty()
                        ? "no CPU tickless"
                        : CpuList.format(s.nohzFull()) + " tickless, not " + CpuList.format(missing))
                + ": the scheduler tick interrupts a HARD spinner there at every tick."
                + boot;
    }

    private static String irqs(MachineState s, BitSet rt, String cpus) {
        if (s.irqAffinity().isEmpty()) {
            return NA + "IRQ affinity: no /" + MachineFiles.IRQ_DIR + "/*/smp_affinity_list readable";
        }
        TreeSet<Integer> on = new TreeSet<>();
        for (Map.Entry<String, BitSet> e : s.irqAffinity().entrySet()) {
            if (e.getValue().intersects(rt)) {
                on.add(Integer.valueOf(e.getKey()));
            }
        }
        boolean defaultOn =
                s.defaultIrqAffinity() != null && s.defaultIrqAffinity().intersects(rt);
        String dflt = s.defaultIrqAffinity() == null
                ? ""
                : "; default_smp_affinity " + CpuList.format(s.defaultIrqAffinity()) + (defaultOn ? "" : ", off them");
        if (on.isEmpty() && !defaultOn) {
            return OK + "IRQ affinity: none of " + s.irqAffinity().size() + " IRQs may run on " + cpus + dflt;
        }
        return NO + "IRQ affinity: " + on.size() + " of " + s.irqAffinity().size() + " IRQs may run on " + cpus
                + " (" + abbreviate(on) + ")" + dflt + ": each interrupt delivered there stops a HARD or SOFT "
                + "thread for its handler. --apply: every IRQ that accepts it to the other CPUs";
    }

    private static String workqueues(MachineState s, BitSet rt, String cpus) {
        if (s.workqueueCpus() == null) {
            return NA + "unbound workqueues: /" + MachineFiles.WORKQUEUE_CPUMASK + " absent or unreadable";
        }
        if (!s.workqueueCpus().intersects(rt)) {
            return OK + "unbound workqueues: on CPUs " + CpuList.format(s.workqueueCpus()) + ", off " + cpus;
        }
        return NO + "unbound workqueues may run on " + cpus + " (cpumask " + CpuList.formatMask(s.workqueueCpus())
                + "): kernel work items there preempt a SOFT or HARD thread. --apply: cpumask of the other CPUs";
    }

    private static String governors(MachineState s, BitSet rt) {
        if (s.governors().isEmpty()) {
            return NA + "CPU frequency governor: no cpufreq (/" + MachineFiles.CPU_DIR
                    + "/cpu*/cpufreq/scaling_governor"
                    + " absent, usual on a VM: the host sets the clock); nothing to set";
        }
        List<String> slow = new ArrayList<>();
        s.governors().forEach((cpu, g) -> {
            if (!g.equals("performance") && rt.get(Integer.parseInt(cpu))) {
                slow.add("cpu" + cpu + " " + g);
            }
        });
        if (slow.isEmpty()) {
            return OK + "CPU frequency governor: performance on every real-time CPU";
        }
        return NO + "CPU frequency governor: " + String.join(", ", slow) + ": a SOFT thread waking from a nap, or a "
                + "HARD thread after a stop, may run at a lowered clock until the governor raises it. --apply: "
                + "performance";
    }

    private static String capability(MachineState s) {
        if (s.capSysNice() == null) {
            return NA + "CAP_SYS_NICE: cannot read CapEff in /" + MachineFiles.SELF_STATUS;
        }
        if (s.capSysNice()) {
            return OK + "CAP_SYS_NICE: this JVM may set SCHED_FIFO (uid " + s.effectiveUid() + "); SOFT and HARD "
                    + "threads run SCHED_FIFO where allowed (docs/ARCHITECTURE.md, Scheduling per context)";
        }
        return NO + "CAP_SYS_NICE: not in this JVM's effective capabilities (uid " + s.effectiveUid() + "): SOFT "
                + "and HARD threads may set SCHED_FIFO only up to RLIMIT_RTPRIO, else they stay SCHED_OTHER and "
                + "ordinary threads preempt them. setcap cap_sys_nice+ep on the java binary, or run as root";
    }

    private static String rtprio(MachineState s) {
        if (s.rtprioSoft() == null) {
            return NA + "RLIMIT_RTPRIO: cannot read \"Max realtime priority\" in /" + MachineFiles.SELF_LIMITS;
        }
        String limit = "RLIMIT_RTPRIO " + s.rtprioSoft() + " (hard " + s.rtprioHard() + ")";
        boolean zero = s.rtprioSoft().equals("0");
        if (Boolean.TRUE.equals(s.capSysNice())) {
            return OK + limit + ": CAP_SYS_NICE overrides it";
        }
        return (zero ? NO : OK)
                + limit
                + (zero
                        ? ": without CAP_SYS_NICE this JVM cannot set any real-time priority. rtprio in "
                                + "/etc/security/limits.conf or ulimit -r"
                        : ": this JVM may set SCHED_FIFO priorities up to " + s.rtprioSoft());
    }

    private static BitSet minus(BitSet a, BitSet b) {
        BitSet m = (BitSet) a.clone();
        m.andNot(b);
        return m;
    }

    private static String abbreviate(TreeSet<Integer> irqs) {
        BitSet b = new BitSet();
        irqs.forEach(b::set);
        return "IRQ " + CpuList.format(b);
    }

    private static String duration(long us) {
        return us % 1000 == 0 ? (us / 1000) + " ms" : us + " us";
    }
}
