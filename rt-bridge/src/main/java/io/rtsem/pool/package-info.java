/**
 * rt-bridge, resource pools: {@link io.rtsem.pool.ResourcePool} allocates a fixed set of resources from any context
 * ({@link io.rtsem.pool.Lease}: one per resource, reused), with the bookkeeping (who holds what, owner death) done
 * off the real-time path by an ordinary thread.
 *
 * <h2>Dependencies</h2>
 * This package depends on {@code io.rtsem.core} and on {@code io.rtsem.bridge}: the pool's wake service is the
 * bridge's {@link io.rtsem.bridge.WakeService}, and it uses the bridge's mode-switch check
 * ({@link io.rtsem.bridge.ModeSwitchPolicy}), common options ({@link io.rtsem.bridge.CommonOptions}), daemon-thread
 * lifecycle and VarHandle helpers. {@code io.rtsem.bridge} never depends on this package. The conventions (contexts,
 * threads, memory order) are those of {@code io.rtsem.bridge}; the pool's behaviour is described in
 * {@code docs/BRIDGE.md}, "ResourcePool".
 */
package io.rtsem.pool;
