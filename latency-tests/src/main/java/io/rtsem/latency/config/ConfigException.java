package io.rtsem.latency.config;

/**
 * A scenario file that cannot be run: unreadable, not YAML, an unknown key, a wrong type or an
 * impossible value. The message always names the file, the key (as a path such as
 * {@code threads[1].cpu}) and what was expected, on one line of printable characters (see {@link #printable});
 * {@code ./rtsem} prints it and exits with code 2.
 *
 * <p>Thrown on NON_RT threads only (while loading a scenario).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The scenario file as the user named it. */
    private final String file;
    /** The offending key path. */
    private final String key;

    /**
     * @param file the scenario file as the user named it
     * @param key  the offending key path, or {@code ""} for the file as a whole
     * @param problem what was expected and what was found
     * @throws NullPointerException if an argument is null
     */
    public ConfigException(String file, String key, String problem) {
        super(printable(java.util.Objects.requireNonNull(file, "file")
                + (java.util.Objects.requireNonNull(key, "key").isEmpty() ? "" : ": " + key) + ": "
                + java.util.Objects.requireNonNull(problem, "problem")));
        this.file = file;
        this.key = key;
    }

    /**
     * The message as a terminal should show it: control characters (a file's NUL, ESC or line breaks quoted back in
     * a message), invisible format characters (bidi overrides, zero-width spaces, a byte order mark) and lone
     * surrogates are escaped ({@code \n}, {@code \t}, else a backslash, {@code u} and four hex digits), so a
     * message is one line that cannot move the cursor, clear the screen or reorder the text around it.
     *
     * @param s any text
     * @return the text with those characters escaped
     */
    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired =
                    Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            int type = Character.getType(c);
            boolean escape = Character.isISOControl(c)
                    || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR
                    || (Character.isSurrogate(c) && !paired);
            if (escape && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (!escape) {
                    sb.append(c);
                } else if (c == '\n') {
                    sb.append("\\n");
                } else if (c == '\t') {
                    sb.append("\\t");
                } else {
                    sb.append(String.format(java.util.Locale.ROOT, "\\u%04X", (int) c));
                }
            }
            if (paired) {
                if (sb != null) {
                    sb.append(s.charAt(i + 1));
                }
                i++;
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** @return the scenario file as the user named it. */
    public String file() {
        return file;
    }

    /** @return the offending key path ({@code threads[1].cpu}), or {@code ""} for the whole file. */
    public String key() {
        return key;
    }
}
