/**
 * How ready this machine is for real-time threads, and the run-time settings {@code ./rtsem tune --apply} changes
 * and {@code --revert} restores: RT throttling, isolated and tickless CPUs, IRQ and unbound-workqueue affinity, the
 * CPU frequency governor, the JVM's CAP_SYS_NICE and RLIMIT_RTPRIO. Every {@code /proc} and {@code /sys} path is
 * resolved against a root directory ({@link io.rtsem.latency.machine.MachineFiles}), so that tests run on a fake tree.
 * All of it is NON_RT set-up code: it reads and writes small kernel files and allocates. Depends on no other package
 * of this module; {@code run} records a {@link io.rtsem.latency.machine.MachineState} with each run and {@code cli}
 * runs {@code ./rtsem tune}. See docs/DEPLOYING.md.
 */
package io.rtsem.latency.machine;
