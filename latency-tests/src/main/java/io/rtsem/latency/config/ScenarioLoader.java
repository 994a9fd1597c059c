package io.rtsem.latency.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Reads a scenario YAML file (Jackson YAML) and validates every key into a {@link Scenario}.
 * The file format is documented in {@code docs/LATENCY.md} and by the files in {@code configs/}.
 *
 * <p>Validation is strict: an unknown key, a value of the wrong type or an impossible value
 * (a p99 budget below the p50 budget, two spinning threads pinned to one CPU, a CPU this machine
 * does not have, an acquirer waiting for permits nobody releases ...) is a {@link ConfigException}
 * naming the file, the key and what was expected. So is a file that is not one YAML document of UTF-8 text of at
 * most {@value #MAX_FILE_BYTES} bytes, a YAML alias ({@code *name}), and an integer too large for its key (never
 * read as its low bits).
 *
 * <p>NON_RT only: reads the file, allocates freely. Stateless; safe to use from several threads.
 */
public final class ScenarioLoader {

    /** The largest scenario file read, in bytes. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    /** Duplicate keys are an error, not "the last one wins" (Jackson's tree reader, whatever the format). */
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // a second document ("---") would otherwise be ignored silently, and with it every key it holds
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) '([^']*)'");

    private final int availableCpus;

    /** A loader that checks CPU numbers against this machine's {@code availableProcessors()}. */
    public ScenarioLoader() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param availableCpus the number of CPUs that CPU numbers in files are checked against, at least 1
     * @throws IllegalArgumentException if {@code availableCpus} is below 1
     */
    public ScenarioLoader(int availableCpus) {
        if (availableCpus < 1) {
            throw new IllegalArgumentException("availableCpus must be at least 1, got " + availableCpus);
        }
        this.availableCpus = availableCpus;
    }

    /**
     * Reads and validates one scenario file: at most {@value #MAX_FILE_BYTES} bytes of UTF-8 text.
     *
     * @param path the file; its name as given is used in messages
     * @return the validated scenario
     * @throws ConfigException if the file cannot be read, parsed or validated
     * @throws NullPointerException if {@code path} is null
     */
    public Scenario load(Path path) throws ConfigException {
        Objects.requireNonNull(path, "path");
        String file = path.toString();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            // bounded: a device such as /dev/zero, or a file that is not a scenario, must not fill the heap
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "", "cannot read the file: it does not exist");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file, "", "cannot read the file: permission denied");
        } catch (IOException e) {
            throw new ConfigException(
                    file,
                    "",
                    "cannot read the file: "
                            + (Files.isDirectory(path)
                                    ? "it is a directory"
                                    : e.getMessage() != null
                                            ? e.getMessage()
                                            : e.getClass().getSimpleName()));
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(
                    file,
                    "",
                    "larger than " + MAX_FILE_BYTES + " bytes; a scenario file is a few " + "kilobytes of YAML");
        }
        return parse(file, utf8(file, bytes));
    }

    /** @return the bytes as UTF-8 text; a byte sequence that is not UTF-8 is an error naming its offset and line */
    private static String utf8(String file, byte[] bytes) throws ConfigException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new ConfigException(
                    file,
                    "",
                    String.format(
                            Locale.ROOT,
                            "not UTF-8 text: byte 0x%02X at offset %d "
                                    + "(line %d) is not valid UTF-8; expected a YAML file saved as UTF-8",
                            bytes[at] & 0xFF,
                            at,
                            line));
        }
        out.flip();
        return out.toString();
    }

    /**
     * Validates scenario text as if read from {@code file}.
     *
     * @param file name used in messages and the default scenario name
     * @param yaml the YAML text
     * @return the validated scenario
     * @throws ConfigException on the first problem found
     * @throws NullPointerException if {@code file} or {@code yaml} is null
     */
    public Scenario parse(String file, String yaml) throws ConfigException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(yaml, "yaml");
        rejectAliases(file, yaml);
        JsonNode root;
        try {
            root = MAPPER.readTree(yaml);
        } catch (JsonProcessingException e) {
            Matcher dup = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
            if (dup.find()) {
                throw new ConfigException(
                        file,
                        duplicatePath(e, dup.group(1)),
                        "duplicate key: each key may appear "
                                + "once in a mapping (the second one would silently replace the first)"
                                + (e.getLocation() != null
                                        ? " (line " + e.getLocation().getLineNr() + ")"
                                        : ""));
            }
            throw new ConfigException(file, "", yamlProblem(e, yaml));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(file, "", "the file is empty; expected a mapping with at least 'threads'");
        }
        return new ScenarioReader(file, availableCpus).scenario(root);
    }

    /**
     * Jackson's tree reader takes a YAML alias ({@code *name}) for the string {@code "name"}, defined anchor or not:
     * {@code scenario: *a} would name the scenario "a", and a duration given as an alias would be reported as the
     * anchor's name. Scenario files are a few lines; an alias is an error naming its line.
     */
    private static void rejectAliases(String file, String yaml) throws ConfigException {
        try (JsonParser p = MAPPER.getFactory().createParser(yaml)) {
            while (p.nextToken() != null) {
                if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                    throw new ConfigException(
                            file,
                            "",
                            "a YAML alias (*" + p.getText() + ") at line "
                                    + p.currentTokenLocation().getLineNr()
                                    + ": aliases are not supported in scenario files (they "
                                    + "would be read as their name); write the value itself");
                }
            }
        } catch (IOException e) {
            // not YAML, or a duplicate key: readTree says what and where
        }
    }

    /**
     * What is wrong with text that is not one YAML document, on one line: SnakeYAML's problem with its line and column
     * (its own message spans several lines and quotes the text), or Jackson's, said in the file's terms.
     */
    private static String yamlProblem(JsonProcessingException e, String yaml) {
        String line = e.getLocation() != null && e.getLocation().getLineNr() > 0
                ? " (line " + e.getLocation().getLineNr() + ")"
                : "";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                return "not valid YAML: " + m.getProblem() + (m.getContext() != null ? " (" + m.getContext() + ")" : "")
                        + " (line " + (m.getProblemMark().getLine() + 1) + ", column "
                        + (m.getProblemMark().getColumn() + 1)
                        + ")";
            }
            if (t instanceof ReaderException r) {
                return String.format(
                        Locale.ROOT,
                        "not valid YAML: character U+%04X at offset %d (line %d) is not " + "allowed in YAML",
                        r.getCodePoint(),
                        r.getPosition(),
                        lineOf(yaml, r.getPosition()));
            }
        }
        String original = String.valueOf(e.getOriginalMessage());
        if (original.startsWith("Trailing token")) {
            return "more than one YAML document ('---' or '...' followed by more)" + line
                    + "; expected one scenario per file";
        }
        if (original.startsWith("Expected a field name")) {
            return "not valid YAML: a key must be a plain scalar, not a list or a mapping" + line;
        }
        if (e instanceof StreamConstraintsException) {
            return "not valid YAML: too large or too deeply nested: " + original.replaceAll(", from `[^`]*`", "")
                    + line;
        }
        return "not valid YAML: " + original + line;
    }

    /** @return the line (from 1) of a code point offset into {@code text} */
    private static int lineOf(String text, int codePointOffset) {
        int line = 1;
        int i = 0;
        for (int cp = 0; cp < codePointOffset && i < text.length(); cp++) {
            line += text.charAt(i) == '\n' ? 1 : 0;
            i += Character.charCount(text.codePointAt(i));
        }
        return line;
    }

    /** @return the key path of a duplicate key, as far as Jackson's exception locates it (else the key alone) */
    private static String duplicatePath(JsonProcessingException e, String key) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                && !m.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    sb.append('[').append(r.getIndex()).append(']');
                }
            }
            String path = sb.toString();
            return path.endsWith(key) ? path : ScenarioReader.join(path, key);
        }
        return key;
    }
}
