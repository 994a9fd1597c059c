/**
 * Scenario files: {@link io.rtsem.latency.config.ScenarioLoader} reads and validates a YAML scenario into an immutable
 * {@link io.rtsem.latency.config.Scenario}. Depends on no other package of this module; {@code run}, {@code report}
 * and {@code cli} depend on it.
 */
package io.rtsem.latency.config;
