/**
 * rtsem latency validation: how long did anyone wait on an {@code RtSemaphore}, against what floor.
 *
 * <h2>Conventions of this module</h2>
 * <ul>
 *   <li>Every time is a {@link System#nanoTime()} value or a nanosecond duration unless the name
 *       says otherwise ({@code Micros}, {@code EpochNanos}). Reports convert to microseconds.</li>
 *   <li>Code that runs on a scenario's real-time threads (HARD or SOFT) lives in
 *       {@link io.rtsem.latency.run.ScenarioWorker} and the recorders it touches. It allocates
 *       nothing after its warm-up starts and makes no system call other than the clock read
 *       ({@code clock_gettime} through the vDSO) and whatever the semaphore under test does.</li>
 *   <li>Everything else (configuration, sampling, attribution, report writing) runs on
 *       ordinary (NON_RT) harness threads and may allocate and block.</li>
 * </ul>
 * Packages: {@link io.rtsem.latency.config} reads scenario files, {@link io.rtsem.latency.run}
 * measures, {@link io.rtsem.latency.report} judges and writes what was measured, {@link io.rtsem.latency.cli}
 * is the {@code ./rtsem} command line, {@link io.rtsem.latency.machine} reads (and for {@code ./rtsem tune} sets) the
 * kernel's real-time settings. Dependencies point one way, with no loop:
 * {@code cli -> report -> run -> config} and {@code run -> machine} (and {@code cli} to each of them). The JMH benchmarks
 * ({@code bench.core}, {@code bench.bridge}) depend on rt-core and rt-bridge only.
 */
package io.rtsem.latency;
