/**
 * rt-bridge, ordinary threads' side: {@link io.rtsem.bridge.SemaphoreBridge} lets NON_RT code share an
 * {@link io.rtsem.core.RtSemaphore} with real-time threads (wake service, async acquisition, mode-switch detection,
 * hold times; counters in {@link io.rtsem.bridge.BridgeStats}).
 *
 * <h2>Dependencies</h2>
 * This package depends on {@code io.rtsem.core} only. The other package of rt-bridge, {@code io.rtsem.pool}
 * (resource pools), depends on this one, never the other way round: the pool's wake path is this package's
 * {@link io.rtsem.bridge.WakeService}, and it shares the mode-switch check ({@link io.rtsem.bridge.ModeSwitchPolicy},
 * {@link io.rtsem.bridge.ModeSwitchCheck}), the common options ({@link io.rtsem.bridge.CommonOptions},
 * {@link io.rtsem.bridge.OptionChecks}), the daemon-thread lifecycle ({@link io.rtsem.bridge.DaemonThreads}) and the
 * VarHandle helpers ({@link io.rtsem.bridge.VarHandles}). Those classes other than {@code ModeSwitchPolicy} and
 * {@code CommonOptions} are public only for that; they say so ("Internal") and are not part of the API.
 *
 * <h2>Conventions of rt-bridge (both packages)</h2>
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
 * The contract, numbered (BA1-BA4, B1-B8), is in {@code docs/BRIDGE.md}.
 */
package io.rtsem.bridge;
