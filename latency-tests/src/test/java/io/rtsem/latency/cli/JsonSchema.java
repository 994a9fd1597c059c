package io.rtsem.latency.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON document's expected shape as data (key to type), checked both ways: every expected key present with its
 * type, no key that is not expected. Objects list their keys; maps whose keys are data (context, thread, CPU names)
 * give the exact key set expected in the document at hand, or none where any key goes.
 */
final class JsonSchema {
    /** A type a value must have. */
    interface Type {
        void check(JsonNode n, String path, List<String> problems);
    }

    static final Type INT = scalar("an integer", JsonNode::isIntegralNumber);
    static final Type NUMBER = scalar("a number", JsonNode::isNumber);
    static final Type NUMBER_OR_NULL = scalar("a number or null", n -> n.isNumber() || n.isNull());
    static final Type STRING = scalar("a string", JsonNode::isTextual);
    static final Type STRING_OR_NULL = scalar("a string or null", n -> n.isTextual() || n.isNull());
    static final Type BOOL = scalar("true or false", JsonNode::isBoolean);
    static final Type INT_OR_NULL = scalar("an integer or null", n -> n.isIntegralNumber() || n.isNull());
    static final Type BOOL_OR_NULL = scalar("true, false or null", n -> n.isBoolean() || n.isNull());

    private JsonSchema() {}

    private interface Test {
        boolean ok(JsonNode n);
    }

    private static Type scalar(String what, Test test) {
        return (n, path, problems) -> {
            if (!test.ok(n)) {
                problems.add(path + ": expected " + what + ", got " + n);
            }
        };
    }

    /** An object with exactly these keys: {@code obj("name", STRING, "count", INT, ...)}. */
    static Type obj(Object... keysAndTypes) {
        Map<String, Type> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndTypes.length; i += 2) {
            fields.put((String) keysAndTypes[i], (Type) keysAndTypes[i + 1]);
        }
        return new Obj(fields);
    }

    /** An object whose keys are data: exactly {@code keys} (or any keys if null), each value of type {@code value}. */
    static Type map(Set<String> keys, Type value) {
        return new Nested(value, (n, path, problems) -> {
            if (!n.isObject()) {
                problems.add(path + ": expected an object, got " + n);
                return;
            }
            Set<String> present = new LinkedHashSet<>();
            n.fieldNames().forEachRemaining(present::add);
            if (keys != null && !present.equals(keys)) {
                problems.add(path + ": expected keys " + keys + ", got " + present);
            }
            for (String k : present) {
                value.check(n.get(k), path + "." + k, problems);
            }
        });
    }

    /** An array whose elements are of type {@code element}. */
    static Type array(Type element) {
        return new Nested(element, (n, path, problems) -> {
            if (!n.isArray()) {
                problems.add(path + ": expected an array, got " + n);
                return;
            }
            for (int i = 0; i < n.size(); i++) {
                element.check(n.get(i), path + "[" + i + "]", problems);
            }
        });
    }

    /** @return every problem found, empty if the document has exactly the expected shape */
    static List<String> check(Type t, JsonNode doc) {
        List<String> problems = new ArrayList<>();
        t.check(doc, "$", problems);
        return problems;
    }

    /** @return every object key named by the schema (not the data keys of maps), for checking the docs */
    static Set<String> keyNames(Type t) {
        Set<String> out = new LinkedHashSet<>();
        if (t instanceof Obj o) {
            o.fields.forEach((k, v) -> {
                out.add(k);
                out.addAll(keyNames(v));
            });
        } else if (t instanceof Nested n) {
            out.addAll(keyNames(n.inner()));
        }
        return out;
    }

    /** A map or an array: its check, and the type of its values or elements (for {@link #keyNames}). */
    private record Nested(Type inner, Type self) implements Type {
        public void check(JsonNode n, String path, List<String> problems) {
            self.check(n, path, problems);
        }
    }

    private record Obj(Map<String, Type> fields) implements Type {
        public void check(JsonNode n, String path, List<String> problems) {
            if (!n.isObject()) {
                problems.add(path + ": expected an object with keys " + fields.keySet() + ", got " + n);
                return;
            }
            for (Map.Entry<String, Type> f : fields.entrySet()) {
                JsonNode v = n.get(f.getKey());
                if (v == null) {
                    problems.add(path + "." + f.getKey() + ": missing");
                } else {
                    f.getValue().check(v, path + "." + f.getKey(), problems);
                }
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!fields.containsKey(k)) {
                    problems.add(path + "." + k + ": not in the documented schema");
                }
            }
        }
    }
}
