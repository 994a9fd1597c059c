/**
 * Measuring: {@link io.rtsem.latency.run.ValidationRun} runs a scenario's phases and floors and returns a
 * {@link io.rtsem.latency.run.RunResult}; everything computed from samples while or right after they are taken (worst
 * episodes, hiccup floors) is here. Depends on {@code config}, and on {@code machine} for the kernel's settings a run
 * records; {@code report} reads its results, never the other
 * way round.
 */
package io.rtsem.latency.run;
