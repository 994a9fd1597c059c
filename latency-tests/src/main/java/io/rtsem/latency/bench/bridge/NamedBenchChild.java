package io.rtsem.latency.bench.bridge;

import io.rtsem.bridge.NamedSemaphore;
import io.rtsem.core.RtContext;
import io.rtsem.core.RtSemaphore;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.core.UnsafeMemory;
import org.HdrHistogram.Histogram;

/**
 * A child JVM of {@link NamedBench}'s hand-off arms: one side of a HARD ping-pong on two semaphores, {@code ping} and
 * {@code pong}. The pinger releases ping and spins to acquire pong, timing the round trip with
 * {@code System.nanoTime()}; the ponger spins to acquire ping and releases pong. One kind of semaphore per JVM, so the
 * hot call sites see one class:
 *
 * <ul>
 *   <li>{@code rt}: {@link RtSemaphore}, pinger and ponger as two threads of this JVM (the baseline, role
 *   {@code both});
 *   <li>{@code named}: rtsem's {@link NamedSemaphore} (JDK {@code MappedByteBuffer} + {@code VarHandle});
 *   <li>{@code words}: the same shared words driven by the same minimal HARD loop, through a {@code VarHandle} on a
 *   JDK {@code MappedByteBuffer} ({@code jdk-word}) and through Chronicle Core's {@code OS.map} +
 *   {@code UnsafeMemory.compareAndSwapLong} ({@code chronicle-word}), alternating in batches of {@link #WORDS_BATCH}
 *   round trips in the same two JVMs: the comparison of the two ways to map and CAS.
 * </ul>
 *
 * <p>Usage: {@code NamedBenchChild KIND ROLE PING PONG WARMUP ROUNDS MILLIS}, ROLE {@code pinger}, {@code ponger}
 * or {@code both}. Each prints {@code ready} when set up (the parent starts the pinger once the ponger is ready).
 * The pinger stops after {@code WARMUP + ROUNDS} round trips ({@code ROUNDS} of each access for {@code words})
 * or {@code MILLIS} ms after set-up, whichever comes first (a busy machine stops spinners for milliseconds at a time), and prints
 * {@code HIST <tag> <base64>} per histogram: the measured round trips in HdrHistogram's compressed encoding, tagged
 * with the kind ({@code jdk-word} and {@code chronicle-word} for {@code words}). A ponger whose pinger stopped early is killed by the
 * parent. HARD set-up: the threads declare {@link RtContext#HARD} and spin; they are not pinned.
 */
public final class NamedBenchChild {
    private NamedBenchChild() {}

    /** One end of a ping-pong: a release, and an acquire that spins (HARD, no system call). */
    interface Side {
        void release();

        void acquireSpinning() throws InterruptedException;
    }

    /**
     * Runs one role.
     *
     * @param args KIND ROLE PING PONG WARMUP ROUNDS MILLIS.
     * @throws Exception on any failure (the parent reports the exit code and stderr).
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            throw new IllegalArgumentException(
                    "usage: NamedBenchChild KIND ROLE PING PONG WARMUP ROUNDS MILLIS, got " + String.join(" ", args));
        }
        String kind = args[0];
        String role = args[1];
        int warmup = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        long millis = Long.parseLong(args[6]);
        if (kind.equals("words")) {
            words(role, args[2], args[3], warmup, rounds, millis);
            System.exit(0);
        }
        Side ping;
        Side pong;
        if (kind.equals("rt")) {
            ping = rt();
            pong = rt();
        } else {
            ping = open(kind, args[2]);
            pong = open(kind, args[3]);
        }
        int total = warmup + rounds;
        ready();
        long deadline = System.nanoTime() + millis * 1_000_000L; // from the end of set-up
        switch (role) {
            case "pinger":
                print(kind, pinger(ping, pong, warmup, rounds, deadline));
                break;
            case "ponger":
                ponger(ping, pong, total);
                break;
            case "both":
                Thread other = new Thread(
                        () -> {
                            try {
                                ponger(ping, pong, total);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "ponger");
                other.setDaemon(true);
                other.start();
                print(kind, pinger(ping, pong, warmup, rounds, deadline));
                break; // the ponger is a daemon: it ends with the JVM, also when the pinger stopped early
            default:
                throw new IllegalArgumentException("role must be pinger, ponger or both, got " + role);
        }
        System.exit(0);
    }

    private static Histogram pinger(Side ping, Side pong, int warmup, int rounds, long deadline)
            throws InterruptedException {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        try (RtContext.Scope hard = RtContext.enter(RtContext.HARD)) {
            for (int i = 0; i < warmup + rounds; i++) {
                long t0 = System.nanoTime();
                if (t0 - deadline >= 0) {
                    break;
                }
                ping.release();
                pong.acquireSpinning();
                long rtt = System.nanoTime() - t0;
                if (i >= warmup) {
                    h.recordValue(rtt);
                }
            }
        }
        return h;
    }

    private static void ponger(Side ping, Side pong, int total) throws InterruptedException {
        try (RtContext.Scope hard = RtContext.enter(RtContext.HARD)) {
            for (int i = 0; i < total; i++) {
                ping.acquireSpinning();
                pong.release();
            }
        }
    }

    /** Batches of round trips alternate between the JDK and the Chronicle access, on the same words. */
    static final int WORDS_BATCH = 256;

    /**
     * The interleaved comparison: the same two files mapped twice in each JVM, once by the JDK and once by Chronicle;
     * round {@code i} uses Chronicle if {@code (i / WORDS_BATCH)} is odd, on both sides (they are in lock-step, one
     * ping and one pong per round), so both accesses see the same placement of the vCPUs. Each call site has one
     * final class: no dispatch between the two.
     */
    private static void words(String role, String pingName, String pongName, int warmup, int rounds, long millis)
            throws IOException {
        JdkWord jdkPing = new JdkWord(file(pingName));
        JdkWord jdkPong = new JdkWord(file(pongName));
        ChronicleWord chroniclePing = new ChronicleWord(file(pingName));
        ChronicleWord chroniclePong = new ChronicleWord(file(pongName));
        ready();
        long deadline = System.nanoTime() + millis * 1_000_000L; // from the end of set-up
        try (RtContext.Scope hard = RtContext.enter(RtContext.HARD)) {
            if (role.equals("ponger")) { // until the parent kills it, once the pinger is done
                for (long i = 0; ; i++) {
                    if (((i / WORDS_BATCH) & 1) == 0) {
                        jdkPing.acquireSpinning();
                        jdkPong.release();
                    } else {
                        chroniclePing.acquireSpinning();
                        chroniclePong.release();
                    }
                }
            }
            if (!role.equals("pinger")) {
                throw new IllegalArgumentException("role of words must be pinger or ponger, got " + role);
            }
            Histogram jdk = new Histogram(3_600_000_000_000L, 3);
            Histogram chronicle = new Histogram(3_600_000_000_000L, 3);
            for (long i = 0; ; i++) {
                long t0 = System.nanoTime();
                if (t0 - deadline >= 0) {
                    break;
                }
                if (((i / WORDS_BATCH) & 1) == 0) {
                    jdkPing.release();
                    jdkPong.acquireSpinning();
                    long rtt = System.nanoTime() - t0;
                    if (i >= warmup && jdk.getTotalCount() < rounds) {
                        jdk.recordValue(rtt);
                    }
                } else {
                    chroniclePing.release();
                    chroniclePong.acquireSpinning();
                    long rtt = System.nanoTime() - t0;
                    if (i >= warmup && chronicle.getTotalCount() < rounds) {
                        chronicle.recordValue(rtt);
                    }
                }
                if (jdk.getTotalCount() >= rounds && chronicle.getTotalCount() >= rounds) {
                    break;
                }
            }
            print("jdk-word", jdk);
            print("chronicle-word", chronicle);
        }
    }

    /** Tells the parent that set-up (class loading, mapping) is done: it starts the pinger after the ponger's. */
    private static void ready() {
        System.out.println("ready");
        System.out.flush();
    }

    private static void print(String tag, Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[n];
        buf.flip();
        buf.get(bytes);
        System.out.println("HIST " + tag + " " + Base64.getEncoder().encodeToString(bytes));
        System.out.flush();
    }

    private static Side rt() {
        RtSemaphore s = RtSemaphore.builder().permits(0).maxPermits(1).build();
        return new Side() {
            @Override
            public void release() {
                s.release();
            }

            @Override
            public void acquireSpinning() throws InterruptedException {
                s.acquire(); // HARD context: spins, never parks
            }
        };
    }

    private static Side open(String kind, String name) throws IOException {
        switch (kind) {
            case "named":
                NamedSemaphore s = NamedSemaphore.open(name);
                return new Side() {
                    @Override
                    public void release() {
                        s.release();
                    }

                    @Override
                    public void acquireSpinning() throws InterruptedException {
                        s.acquire(); // HARD context: spins on the shared word (N6), no system call
                    }
                };
            default:
                throw new IllegalArgumentException("kind must be rt, named or words, got " + kind);
        }
    }

    private static Path file(String name) {
        return Paths.get("/dev/shm/sem." + name);
    }

    /**
     * The named semaphore's word through the JDK: a {@code VarHandle} viewing the {@link MappedByteBuffer} as longs
     * (what {@code NamedSemaphore} uses). Every access is volatile, as NamedSemaphore's (N1). Nobody in this benchmark
     * sleeps, so {@code nwaiters} stays 0 and no release owes a wake.
     */
    static final class JdkWord implements Side {
        private static final VarHandle WORD =
                MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
        private final MappedByteBuffer buffer;

        JdkWord(Path p) throws IOException {
            try (FileChannel ch =
                    FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                buffer = ch.map(FileChannel.MapMode.READ_WRITE, 0, 32);
            }
        }

        @Override
        public void release() {
            for (; ; ) {
                long w = (long) WORD.getVolatile(buffer, 0);
                if (WORD.compareAndSet(buffer, 0, w, w + 1)) {
                    return;
                }
            }
        }

        @Override
        public void acquireSpinning() {
            for (; ; ) {
                long w = (long) WORD.getVolatile(buffer, 0);
                if ((w & 0xFFFF_FFFFL) > 0 && WORD.compareAndSet(buffer, 0, w, w - 1)) {
                    return;
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The same word through Chronicle Core: {@code OS.map} (a page: Chronicle maps whole pages) and
     * {@code UnsafeMemory.compareAndSwapLong} / {@code readVolatileLong} on its address. Same loop as {@link JdkWord},
     * and the same ordering: {@code readVolatileLong} is {@code Unsafe.getLongVolatile} and {@code compareAndSwapLong}
     * a volatile CAS, as the {@code VarHandle} modes there, so a release's CAS happens-before the acquire that sees it.
     */
    static final class ChronicleWord implements Side {
        private static final UnsafeMemory MEMORY = UnsafeMemory.MEMORY;
        private final long address;

        ChronicleWord(Path p) throws IOException {
            try (FileChannel ch =
                    FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                address = OS.map(ch, FileChannel.MapMode.READ_WRITE, 0, 32); // stays mapped until the JVM exits
            }
        }

        @Override
        public void release() {
            for (; ; ) {
                long w = MEMORY.readVolatileLong(address);
                if (MEMORY.compareAndSwapLong(address, w, w + 1)) {
                    return;
                }
            }
        }

        @Override
        public void acquireSpinning() {
            for (; ; ) {
                long w = MEMORY.readVolatileLong(address);
                if ((w & 0xFFFF_FFFFL) > 0 && MEMORY.compareAndSwapLong(address, w, w - 1)) {
                    return;
                }
                Thread.onSpinWait();
            }
        }
    }
}
