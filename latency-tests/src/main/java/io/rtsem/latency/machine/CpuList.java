package io.rtsem.latency.machine;

import java.util.BitSet;
import java.util.Locale;

/**
 * CPU sets in the kernel's two text forms: a CPU list ({@code 0-1,4}, as in {@code smp_affinity_list},
 * {@code isolated}, {@code online}) and a hexadecimal mask in 32-bit groups separated by commas ({@code 3},
 * {@code 00000001,00000003}, as in {@code default_smp_affinity} and the workqueue {@code cpumask}). NON_RT; allocates.
 */
public final class CpuList {
    /** The highest CPU number accepted (the kernel's NR_CPUS is at most 8192). */
    public static final int MAX_CPU = 8191;

    private CpuList() {}

    /**
     * Parses a CPU list. An empty or blank text is the empty set (an {@code isolated} file with no CPU).
     *
     * @param text a list such as {@code 1}, {@code 1-3} or {@code 0,2-3}; surrounding white space is ignored
     * @return the CPUs
     * @throws IllegalArgumentException if {@code text} is not a CPU list, naming it and the part that is wrong
     * @throws NullPointerException     if {@code text} is null
     */
    public static BitSet parse(String text) {
        BitSet cpus = new BitSet();
        String t = text.strip();
        if (t.isEmpty()) {
            return cpus;
        }
        for (String part : t.split(",", -1)) {
            int dash = part.indexOf('-');
            int from = number(text, dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : number(text, part.substring(dash + 1));
            if (to < from) {
                throw new IllegalArgumentException("\"" + text + "\": the range " + part
                        + " runs backwards; expected a CPU list such as 1 or 1-3,5");
            }
            cpus.set(from, to + 1);
        }
        return cpus;
    }

    private static int number(String text, String s) {
        if (s.isEmpty() || s.length() > 4 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CPU list: \"" + s
                    + "\" is not a CPU number; expected a list such as 1 or 1-3,5");
        }
        int n = Integer.parseInt(s);
        if (n > MAX_CPU) {
            throw new IllegalArgumentException(
                    "\"" + text + "\": CPU " + n + " is beyond the kernel's limit of " + MAX_CPU);
        }
        return n;
    }

    /**
     * @param cpus a set of CPUs
     * @return its CPU list ({@code 0-1,4}), empty for the empty set
     */
    public static String format(BitSet cpus) {
        StringBuilder sb = new StringBuilder();
        for (int from = cpus.nextSetBit(0); from >= 0; ) {
            int to = cpus.nextClearBit(from) - 1;
            sb.append(sb.length() == 0 ? "" : ",").append(from);
            if (to > from) {
                sb.append('-').append(to);
            }
            from = cpus.nextSetBit(to + 1);
        }
        return sb.toString();
    }

    /**
     * Parses a hexadecimal CPU mask as the kernel prints it.
     *
     * @param text {@code 3} or {@code 00000000,00000003}; surrounding white space is ignored
     * @return the CPUs
     * @throws IllegalArgumentException if {@code text} is not a mask, naming it
     */
    public static BitSet parseMask(String text) {
        String hex = text.strip().replace(",", "");
        if (hex.isEmpty() || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("\"" + text
                    + "\" is not a CPU mask; expected hexadecimal digits in groups such as 3 or 0,00000003");
        }
        BitSet cpus = new BitSet();
        for (int i = 0; i < hex.length(); i++) {
            int digit = Character.digit(hex.charAt(hex.length() - 1 - i), 16);
            for (int b = 0; b < 4; b++) {
                if ((digit & (1 << b)) != 0) {
                    cpus.set(4 * i + b);
                }
            }
        }
        return cpus;
    }

    /**
     * @param cpus a non-empty set of CPUs
     * @return its mask as the kernel accepts it: hexadecimal, in 32-bit groups separated by commas ({@code 1},
     *         {@code 1,00000000})
     */
    public static String formatMask(BitSet cpus) {
        int groups = Math.max(1, (cpus.length() + 31) / 32);
        StringBuilder sb = new StringBuilder();
        for (int g = groups - 1; g >= 0; g--) {
            long bits = 0;
            for (int b = 0; b < 32; b++) {
                if (cpus.get(32 * g + b)) {
                    bits |= 1L << b;
                }
            }
            sb.append(sb.length() == 0 ? "" : ",")
                    .append(g == groups - 1 ? Long.toHexString(bits) : String.format(Locale.ROOT, "%08x", bits));
        }
        return sb.toString();
    }
}
