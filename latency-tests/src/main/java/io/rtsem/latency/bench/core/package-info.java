/**
 * JMH benchmarks of rt-core, each against a baseline measured in the same run: the uncontended fast path against a
 * raw {@code AtomicLong} CAS pair and {@code java.util.concurrent.Semaphore}, and the HARD-to-HARD hand-off against a
 * raw volatile hand-off between the same two CPUs and against {@code java.util.concurrent.Semaphore}'s hand-off.
 * Run with {@code ./rtsem bench core} (see README "Benchmarks"). Figures are reported as ratios, never asserted in
 * tests.
 */
package io.rtsem.latency.bench.core;
