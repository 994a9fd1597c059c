package io.rtsem.pool;

import io.rtsem.core.RtContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * Model-based test of {@link ResourcePool} and {@link Lease}: random sequences of operations run against a real pool
 * and a sequential model of it (free count, which lease is held by which thread, in which context, exact counts),
 * with jqwik shrinking a failing sequence to a short one.
 *
 * <p>Operations, each by one of three <em>actor</em> threads (a thread per actor, so that owners, foreign closes and
 * owner death are real): {@code tryAllocate} or {@code allocate(0 or 100 us)} in HARD, SOFT or NON_RT (entered with
 * {@link RtContext#enter}); {@code close} and {@code transferTo} of any lease seen so far (so also double closes,
 * foreign closes and transfers, transfers to the actor itself, to another actor, to {@code null}, to a thread not
 * started and to a dead thread); {@code resource()}; owner death (the actor's thread ends, a bookkeeping pass is
 * forced, and a fresh thread takes the actor's place); a bookkeeping view check ({@code syncBookkeeping},
 * {@code holdings}, {@code longestCurrentHold}, {@code reclaimed}, {@code reclaims}, {@code allocations},
 * {@code frees}); and closing the pool (rarely; the leases keep working, allocation is refused, dead owners are no
 * longer reclaimed).
 *
 * <p>Checked after every operation (the pool is quiescent then: every call has returned): the pool's
 * {@code available()} equals the model's free count and free + held equals the size (conservation); every lease seen
 * so far is held exactly when the model says, by the model's owner. Every call's outcome matches the model: the
 * lease or {@code null}, or the exception type and the words of its message (exactly-once close: a second close is
 * refused and frees nothing).
 *
 * <p>Quick mode (the normal test command): {@code jqwik.tries.default} tries (200, set in
 * {@code junit-platform.properties}) of up to 40 operations, a few seconds. Longer:
 * {@code -Djqwik.tries.default=2000 -Drtsem.poolModel.maxActions=100}.
 */
class ResourcePoolModelTest {
    private static final int SIZE = 3;
    private static final int ACTORS = 3;
    private static final int MAX_ACTIONS = Integer.getInteger("rtsem.poolModel.maxActions", 40);
    /** As the caller of an operation on a lease: the actor that owns it (actor 0 if no live actor does). */
    private static final int OWNER = -1;

    /**
     * The worlds created by the try running on this thread (jqwik's bounded shrinking runs tries on a thread of its
     * own, which may still run when the time bound is reached): closed when the try ends.
     */
    private final ThreadLocal<List<World>> worldsOfThisTry = ThreadLocal.withInitial(ArrayList::new);
    /** Every world not closed yet, of any thread: closed after the property at the latest. */
    private static final Set<World> OPEN_WORLDS = ConcurrentHashMap.newKeySet();
    /** What the tries did, by outcome ("allocate: lease", "close: foreign lease", ...): printed at the end. */
    private static final Map<String, Integer> OUTCOMES = new ConcurrentSkipListMap<>();

    private static final AtomicInteger CHAINS = new AtomicInteger();
    /** The pool's reclaim warnings (one per owner death here) would fill the test output. */
    private java.util.logging.Logger poolLogger;

    private java.util.logging.Level poolLogLevel;

    @BeforeProperty
    void quietReclaimWarnings() {
        poolLogger = java.util.logging.Logger.getLogger(ResourcePool.class.getName());
        poolLogLevel = poolLogger.getLevel();
        poolLogger.setLevel(java.util.logging.Level.SEVERE);
    }

    @Property
    void poolBehavesAsItsSequentialModel(@ForAll("chains") ActionChain<World> chain) {
        CHAINS.incrementAndGet();
        try {
            chain.withInvariant("conservation and lease states match the model", World::checkInvariant)
                    .run();
        } finally {
            for (final World world : worldsOfThisTry.get()) { // the world this run created, also when it failed
                OPEN_WORLDS.remove(world);
                world.close();
            }
            worldsOfThisTry.get().clear();
        }
    }

    @AfterProperty
    void closeWorldsAndReport() {
        for (final World world : OPEN_WORLDS) {
            OPEN_WORLDS.remove(world);
            world.close();
        }
        poolLogger.setLevel(poolLogLevel);
        int operations = 0;
        for (final int n : OUTCOMES.values()) {
            operations += n;
        }
        System.out.println("ResourcePoolModelTest: " + CHAINS + " chains (shrinking included), " + operations
                + " operations checked against the model: " + OUTCOMES);
    }

    static void count(String outcome) {
        OUTCOMES.merge(outcome, 1, Integer::sum);
    }

    @Provide
    Arbitrary<ActionChain<World>> chains() {
        final Arbitrary<Integer> actor = Arbitraries.integers().between(0, ACTORS - 1);
        // Who calls close/transferTo/resource: mostly the lease's owner (OWNER, -1), else any actor (often foreign).
        final Arbitrary<Integer> caller =
                Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(OWNER)), Tuple.of(2, actor));
        final Arbitrary<Integer> lease = Arbitraries.integers().between(0, SIZE - 1);
        final Arbitrary<RtContext> context = Arbitraries.of(RtContext.class);
        return ActionChain.<World>startWith(this::newWorld)
                .withAction(
                        30,
                        action(
                                w -> true,
                                Combinators.combine(actor, context, Arbitraries.of(Mode.class))
                                        .as((a, c, m) -> Transformer.mutate(
                                                name(a) + " " + c + " " + m, w -> w.allocate(a, c, m)))))
                .withAction(
                        25,
                        action(
                                World::hasSeenLeases,
                                Combinators.combine(caller, lease, context)
                                        .as((a, l, c) -> Transformer.mutate(
                                                name(a) + " " + c + " close(lease#" + l + ")", w -> w.close(a, l, c)))))
                .withAction(
                        20,
                        action(
                                World::hasSeenLeases,
                                Combinators.combine(caller, lease, Arbitraries.of(Target.class), actor)
                                        .as((a, l, t, o) -> Transformer.mutate(
                                                name(a) + " transferTo(lease#" + l + ", " + t
                                                        + (t == Target.ACTOR ? " actor" + o : "") + ")",
                                                w -> w.transfer(a, l, t, o)))))
                .withAction(
                        10,
                        action(
                                World::hasSeenLeases,
                                Combinators.combine(actor, lease)
                                        .as((a, l) -> Transformer.mutate(
                                                name(a) + " resource(lease#" + l + ")", w -> w.resource(a, l)))))
                .withAction(
                        10, action(w -> true, actor.map(a -> Transformer.mutate(name(a) + " dies", w -> w.kill(a)))))
                .withAction(
                        10,
                        action(
                                w -> true,
                                Arbitraries.just(Transformer.mutate("check bookkeeping view", World::checkView))))
                .withAction(
                        1, action(w -> !w.closed, Arbitraries.just(Transformer.mutate("close pool", World::closePool))))
                .withMaxTransformations(MAX_ACTIONS);
    }

    private static String name(int actor) {
        return actor == OWNER ? "owner" : "actor" + actor;
    }

    private static Action.Independent<World> action(
            Predicate<World> precondition, Arbitrary<Transformer<World>> transformers) {
        return new Action.Independent<>() {
            @Override
            public boolean precondition(World world) {
                return precondition.test(world);
            }

            @Override
            public Arbitrary<Transformer<World>> transformer() {
                return transformers;
            }
        };
    }

    private World newWorld() {
        final World world = new World();
        worldsOfThisTry.get().add(world);
        OPEN_WORLDS.add(world);
        return world;
    }

    /** How an actor allocates. */
    enum Mode {
        TRY_ALLOCATE,
        ALLOCATE_0,
        ALLOCATE_100US
    }

    /** Whom a transfer names. */
    enum Target {
        SELF,
        ACTOR,
        NULL,
        NOT_STARTED,
        DEAD
    }

    /** An exception's type and the words its message must contain, or a normal return. */
    private static final class Outcome {
        final String operation;
        final Object value;
        final Throwable thrown;

        Outcome(String operation, Object value, Throwable thrown) {
            this.operation = operation;
            this.value = value;
            this.thrown = thrown;
        }

        void expectThrown(Class<? extends Throwable> type, String... words) {
            count(operation + ": " + type.getSimpleName() + " '" + words[0] + "'");
            if (thrown == null || !type.isInstance(thrown)) {
                throw new AssertionError(
                        "model expected " + type.getSimpleName() + " naming " + List.of(words) + ", pool gave "
                                + (thrown == null ? "a normal return: " + value : thrown),
                        thrown);
            }
            for (final String word : words) {
                if (thrown.getMessage() == null || !thrown.getMessage().contains(word)) {
                    throw new AssertionError("the message must contain '" + word + "': " + thrown.getMessage(), thrown);
                }
            }
        }

        Object expectReturn() {
            count(operation + ": "
                    + (value == null
                            ? (operation.equals("allocate") ? "null" : "ok")
                            : value instanceof Lease ? "lease" : "value"));
            if (thrown != null) {
                throw new AssertionError("model expected a normal return, pool threw " + thrown, thrown);
            }
            return value;
        }
    }

    /** A thread that runs the calls given to it, one at a time; ends on request (owner death). */
    private static final class Actor implements Runnable {
        private static final FutureTask<Object> END = new FutureTask<>(() -> null);

        final Thread thread;
        private final SynchronousQueue<FutureTask<Object>> calls = new SynchronousQueue<>();

        Actor(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            try {
                while (true) {
                    final FutureTask<Object> call = calls.take();
                    if (call == END) {
                        return;
                    }
                    call.run();
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        Outcome call(String operation, RtContext context, Callable<Object> body) {
            final FutureTask<Object> call = new FutureTask<>(() -> {
                try (RtContext.Scope ignored = RtContext.enter(context)) {
                    return body.call();
                }
            });
            try {
                if (!calls.offer(call, 20, TimeUnit.SECONDS)) {
                    throw new AssertionError(thread.getName() + " did not take a call within 20 s");
                }
                return new Outcome(operation, call.get(20, TimeUnit.SECONDS), null);
            } catch (ExecutionException ex) {
                return new Outcome(operation, null, ex.getCause());
            } catch (InterruptedException | TimeoutException ex) {
                throw new AssertionError(thread.getName() + ": call did not complete within 20 s", ex);
            }
        }

        void end() {
            if (!thread.isAlive()) {
                return; // ended already (a world is closed once, but a failed run may have ended some actors)
            }
            try {
                if (!calls.offer(END, 20, TimeUnit.SECONDS)) {
                    throw new AssertionError(thread.getName() + " did not take its end within 20 s");
                }
                thread.join(TimeUnit.SECONDS.toMillis(20));
            } catch (InterruptedException ex) {
                throw new AssertionError(ex);
            }
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not end within 20 s");
            }
        }
    }

    /** The model's view of one lease object. */
    private static final class ModelLease {
        boolean held;
        Thread owner;
        RtContext context;
        long sinceNanos;
    }

    /** The real pool with its actors, and the model it must agree with. */
    static final class World {
        private final ResourcePool<String> pool;
        private final Actor[] actors = new Actor[ACTORS];
        private final int[] generations = new int[ACTORS];
        private final List<Thread> dead = new ArrayList<>();
        private final Thread notStarted = new Thread(() -> {}, "model-never-started");

        // --- the model ---
        /** Leases in the order first seen (allocated); the operations name them by this index. */
        private final List<Lease<String>> seen = new ArrayList<>();

        private final Map<Lease<String>, ModelLease> model = new IdentityHashMap<>();
        private int free = SIZE;
        private final Map<RtContext, Long> allocations = new HashMap<>();
        private final Map<RtContext, Long> frees = new HashMap<>();
        private long reclaimed;
        private boolean closed;
        /** The held leases (resource, owner, context, since) the last bookkeeping pass saw, once the pool is closed. */
        private List<String> viewAtClose;

        World() {
            pool = ResourcePool.of(
                    List.of("r0", "r1", "r2"), ResourcePool.options().name("model"));
            for (int a = 0; a < ACTORS; a++) {
                actors[a] = new Actor("actor" + a + "-gen0");
            }
            for (final RtContext c : RtContext.values()) {
                allocations.put(c, 0L);
                frees.put(c, 0L);
            }
        }

        boolean hasSeenLeases() {
            return !seen.isEmpty();
        }

        private Lease<String> lease(int index) {
            return seen.get(index % seen.size());
        }

        /** The actor {@code a}, or for {@link #OWNER} the actor whose thread owns the lease in the model. */
        private Actor caller(int a, Lease<String> lease) {
            if (a != OWNER) {
                return actors[a];
            }
            final ModelLease m = model.get(lease);
            for (final Actor actor : actors) {
                if (m.held && actor.thread == m.owner) {
                    return actor;
                }
            }
            return actors[0];
        }

        void allocate(int a, RtContext context, Mode mode) {
            final Actor actor = actors[a];
            final Outcome outcome = actor.call("allocate", context, () -> {
                switch (mode) {
                    case TRY_ALLOCATE:
                        return pool.tryAllocate();
                    case ALLOCATE_0:
                        return pool.allocate(0, TimeUnit.MILLISECONDS);
                    default:
                        return pool.allocate(100, TimeUnit.MICROSECONDS);
                }
            });
            if (closed) {
                outcome.expectThrown(IllegalStateException.class, "closed resource pool");
                return;
            }
            @SuppressWarnings("unchecked")
            final Lease<String> lease = (Lease<String>) outcome.expectReturn();
            if (free == 0) {
                if (lease != null) {
                    throw new AssertionError("allocated " + lease + " with none free in the model");
                }
                return;
            }
            if (lease == null) {
                throw new AssertionError("no lease with " + free + " free in the model");
            }
            ModelLease m = model.get(lease);
            if (m == null) {
                m = new ModelLease();
                model.put(lease, m);
                seen.add(lease);
            }
            if (m.held) {
                throw new AssertionError("allocated " + lease + ", which the model says is held by " + m.owner);
            }
            if (lease.owner() != actor.thread || lease.context() != context || !lease.isHeld()) {
                throw new AssertionError("new lease " + lease + " has owner " + lease.owner() + ", context "
                        + lease.context() + ", held " + lease.isHeld() + "; expected " + actor.thread + ", " + context);
            }
            m.held = true;
            m.owner = actor.thread;
            m.context = context;
            m.sinceNanos = lease.sinceNanos();
            free--;
            allocations.merge(context, 1L, Long::sum);
        }

        void close(int a, int index, RtContext context) {
            final Lease<String> lease = lease(index);
            final Actor actor = caller(a, lease);
            final ModelLease m = model.get(lease);
            final Outcome outcome = actor.call("close", context, () -> {
                lease.close();
                return null;
            });
            if (!m.held) {
                outcome.expectThrown(IllegalStateException.class, "not held");
                return;
            }
            if (m.owner != actor.thread) {
                outcome.expectThrown(IllegalStateException.class, "foreign lease", m.owner.getName());
                return;
            }
            outcome.expectReturn();
            m.held = false;
            free++;
            frees.merge(context, 1L, Long::sum);
        }

        void transfer(int a, int index, Target target, int other) {
            final Lease<String> lease = lease(index);
            final Actor actor = caller(a, lease);
            final ModelLease m = model.get(lease);
            final Thread to;
            switch (target) {
                case SELF:
                    to = actor.thread;
                    break;
                case ACTOR:
                    to = actors[other].thread;
                    break;
                case NULL:
                    to = null;
                    break;
                case NOT_STARTED:
                    to = notStarted;
                    break;
                default:
                    to = dead.isEmpty() ? null : dead.get(other % dead.size());
                    break;
            }
            final Outcome outcome = actor.call("transferTo", RtContext.NON_RT, () -> {
                lease.transferTo(to);
                return null;
            });
            // The order of transferTo's checks: the new owner first, then the lease's state and owner.
            if (to == null) {
                outcome.expectThrown(IllegalArgumentException.class, "null");
            } else if (to == notStarted) {
                outcome.expectThrown(IllegalArgumentException.class, "NEW", "'model-never-started'");
            } else if (dead.contains(to)) {
                outcome.expectThrown(IllegalArgumentException.class, "TERMINATED", "'" + to.getName() + "'");
            } else if (!m.held) {
                outcome.expectThrown(IllegalStateException.class, "not held");
            } else if (m.owner != actor.thread) {
                outcome.expectThrown(IllegalStateException.class, "foreign lease", m.owner.getName());
            } else {
                outcome.expectReturn();
                m.owner = to;
            }
        }

        void resource(int a, int index) {
            final Lease<String> lease = lease(index);
            final ModelLease m = model.get(lease);
            final Outcome outcome = actors[a].call("resource", RtContext.SOFT, lease::resource);
            if (m.held) {
                if (outcome.expectReturn() != lease.resourceUnchecked()) {
                    throw new AssertionError("resource() of " + lease.describe() + " returned " + outcome.value);
                }
            } else {
                outcome.expectThrown(IllegalStateException.class, "use after close");
            }
        }

        void kill(int a) {
            count("owner death" + (closed ? " (pool closed)" : ""));
            final Actor actor = actors[a];
            actor.end();
            dead.add(actor.thread);
            generations[a]++;
            actors[a] = new Actor("actor" + a + "-gen" + generations[a]);
            if (closed) {
                return; // no bookkeeper any more: the dead thread's leases stay held
            }
            pool.syncBookkeeping();
            for (final ModelLease m : model.values()) {
                if (m.held && m.owner == actor.thread) {
                    m.held = false;
                    free++;
                    reclaimed++;
                    count("reclaim of a dead owner's lease");
                }
            }
        }

        void checkView() {
            count("view check" + (closed ? " (pool closed)" : ""));
            if (closed) {
                try {
                    pool.syncBookkeeping();
                    throw new AssertionError("syncBookkeeping() on a closed pool returned");
                } catch (IllegalStateException expected) {
                    expect(
                            "syncBookkeeping() on a closed pool",
                            expected.getMessage().contains("bookkeeper stopped"),
                            expected.getMessage());
                }
                expect(
                        "holdings after close (the last pass's view)",
                        viewAtClose.equals(view()),
                        viewAtClose + " vs " + view());
            } else {
                pool.syncBookkeeping();
                final List<String> expected = expectedView();
                expect("holdings", expected.equals(view()), "model " + expected + ", pool " + view());
            }
            final ResourcePool.Holding longest = pool.longestCurrentHold();
            long oldest = Long.MAX_VALUE;
            boolean any = false;
            for (final ResourcePool.Holding h : pool.holdings()) {
                any = true;
                oldest = Math.min(oldest, h.sinceNanos());
            }
            expect(
                    "longestCurrentHold",
                    any ? longest != null && longest.sinceNanos() == oldest : longest == null,
                    String.valueOf(longest));
            expect("reclaimed()", pool.reclaimed() == reclaimed, pool.reclaimed() + " vs model " + reclaimed);
            expect(
                    "reclaims()",
                    pool.reclaims().size() == reclaimed,
                    pool.reclaims().toString());
            for (final RtContext c : RtContext.values()) {
                expect(
                        "allocations(" + c + ")",
                        pool.allocations(c) == allocations.get(c),
                        pool.allocations(c) + " vs model " + allocations.get(c));
                expect("frees(" + c + ")", pool.frees(c) == frees.get(c), pool.frees(c) + " vs model " + frees.get(c));
            }
            expect("droppedRecords()", pool.droppedRecords() == 0, String.valueOf(pool.droppedRecords()));
        }

        private List<String> view() {
            final List<String> view = new ArrayList<>();
            for (final ResourcePool.Holding h : pool.holdings()) {
                view.add(h.resource() + "@" + h.owner() + "/" + h.context() + "/" + h.sinceNanos());
            }
            view.sort(null);
            return view;
        }

        private List<String> expectedView() {
            final List<String> view = new ArrayList<>();
            for (final Lease<String> lease : seen) {
                final ModelLease m = model.get(lease);
                if (m.held) {
                    view.add(
                            lease.resourceUnchecked() + "@" + m.owner.getName() + "/" + m.context + "/" + m.sinceNanos);
                }
            }
            view.sort(null);
            return view;
        }

        void closePool() {
            count("pool close");
            pool.close();
            closed = true;
            viewAtClose = expectedView();
        }

        void checkInvariant() {
            int held = 0;
            for (final Lease<String> lease : seen) {
                final ModelLease m = model.get(lease);
                held += m.held ? 1 : 0;
                expect(
                        lease.describe() + " held",
                        lease.isHeld() == m.held,
                        "pool " + lease.isHeld() + ", model " + m.held);
                if (m.held) {
                    expect(
                            lease.describe() + " owner",
                            lease.owner() == m.owner,
                            "pool " + lease.owner() + ", model " + m.owner);
                }
            }
            expect("conservation (model)", free + held == SIZE, "free " + free + " + held " + held);
            expect("available()", pool.available() == free, "pool " + pool.available() + ", model " + free);
        }

        private static void expect(String what, boolean ok, String detail) {
            if (!ok) {
                throw new AssertionError(what + ": " + detail);
            }
        }

        void close() {
            pool.close(); // idempotent
            for (final Actor actor : actors) {
                actor.end(); // returns at once for an actor that has ended
            }
        }

        @Override
        public String toString() {
            return "World[free " + free + ", seen " + seen.size() + ", reclaimed " + reclaimed
                    + (closed ? ", pool closed]" : "]");
        }
    }
}
