package io.rtsem.latency.config;

/**
 * A scenario file that cannot be run: unreadable, not YAML, an unknown key, a wrong type or an
 * impossible value. The message always names the file, the key (as a path such as
 * {@code threads[1].cpu}) and what was expected; {@code ./rtsem} prints it and exits with code 2.
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
     */
    public ConfigException(String file, String key, String problem) {
        super(file + (key.isEmpty() ? "" : ": " + key) + ": " + problem);
        this.file = file;
        this.key = key;
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
