/**
 * rt-bridge: how the contexts meet. {@link io.rtsem.bridge.SemaphoreBridge} (ordinary threads' side of a shared
 * {@link io.rtsem.core.RtSemaphore}: wake service, async acquisition, mode-switch detection, hold times) and
 * {@link io.rtsem.bridge.ResourcePool} (allocation from any context, bookkeeping off the real-time path).
 *
 * <h2>Conventions of this package</h2>
 * <ul>
 *   <li><b>Contexts.</b> Every public method says which {@link io.rtsem.core.RtContext} may call it and whether it
 *   allocates, blocks or makes a system call. Methods that may block or allocate are <em>mode-switch checked</em>
 *   ({@link io.rtsem.bridge.ModeSwitchPolicy}).</li>
 *   <li><b>Threads.</b> A bridge runs two daemon threads (wake service, grant thread), a pool two (wake service,
 *   bookkeeper); all park without a timeout when they have nothing to do, except the bookkeeper, which wakes once
 *   per bookkeeping interval.</li>
 *   <li><b>Memory order.</b> VarHandles with the mode chosen per access, commented where it is relied on; Dekker
 *   pairs (a volatile write then a volatile read on each side) wherever a thread decides to park.</li>
 * </ul>
 * The contract, numbered (BA1-BA4, B1-B8), is in {@link io.rtsem.bridge.SemaphoreBridge} and {@code docs/BRIDGE.md}.
 */
package io.rtsem.bridge;
