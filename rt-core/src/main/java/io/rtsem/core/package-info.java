/**
 * rt-core: the semaphore shared by hard real-time, soft real-time and ordinary threads, the execution
 * contexts, the wait strategies and pinned thread creation.
 *
 * <h2>Conventions of this package</h2>
 * <ul>
 *   <li><b>Contexts.</b> Every public method says from which {@link io.rtsem.core.RtContext} it may be called,
 *   whether it allocates, and whether it may block or make a system call. {@code HARD} callers get busy-spinning,
 *   allocation-free and system-call-free paths; calling a method documented as not HARD-safe from a HARD thread is
 *   a bug in the caller.</li>
 *   <li><b>Clock.</b> Deadlines are absolute values of {@link java.lang.System#nanoTime()}, never the wall clock
 *   (unlike {@code sem_timedwait}'s CLOCK_REALTIME).</li>
 *   <li><b>Memory order.</b> Shared state is accessed through {@link java.lang.invoke.VarHandle}s. Each access's
 *   ordering mode is chosen on purpose and explained where it is made; "volatile" CAS is the default for the state
 *   word, so acquiring permits happens-after the release that published them.</li>
 *   <li><b>Padding.</b> Contended words sit alone on their cache lines through a
 *   {@code ...LhsPadding / ...Value / ...RhsPadding} class chain (128 bytes each side, enough for adjacent-line
 *   prefetch), never through ad-hoc fields in logic classes. A class that owns such a word and is on a hot path
 *   extends the chain ({@code StateWord}, and {@code RtSemaphore} through it) rather than holding it by
 *   reference.</li>
 *   <li><b>Parts.</b> {@link io.rtsem.core.RtSemaphore} is the semaphore's only public class; its parts (state word,
 *   wait loop, starving line and grants, wake queue, builder settings) are package-private classes, one concern
 *   each, mapped in {@code docs/ARCHITECTURE.md} ("Where each part lives").</li>
 * </ul>
 * The protocol and its numbered guarantees are in {@code docs/ARCHITECTURE.md}.
 */
package io.rtsem.core;
