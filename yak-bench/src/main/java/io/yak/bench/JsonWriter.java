package io.yak.bench;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A minimal streaming JSON writer for the summary file: objects, arrays, strings, numbers, booleans, null. Indents
 * two spaces per level. Non-finite doubles are written as null (JSON has no NaN). Not thread-safe.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** Per open container: whether it has no element yet. */
    private final Deque<boolean[]> open = new ArrayDeque<>();
    private boolean afterName;

    JsonWriter beginObject() {
        element();
        out.append('{');
        open.push(new boolean[] {true});
        return this;
    }

    JsonWriter endObject() {
        return close('}');
    }

    JsonWriter beginArray() {
        element();
        out.append('[');
        open.push(new boolean[] {true});
        return this;
    }

    JsonWriter endArray() {
        return close(']');
    }

    JsonWriter name(String name) {
        element();
        string(name);
        out.append(": ");
        afterName = true;
        return this;
    }

    JsonWriter value(String s) {
        element();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        return this;
    }

    JsonWriter value(long v) {
        element();
        out.append(v);
        return this;
    }

    JsonWriter value(double v) {
        element();
        if (Double.isFinite(v)) {
            out.append(v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%.1f", v)
                : Double.toString(v));
        } else {
            out.append("null");
        }
        return this;
    }

    JsonWriter value(boolean v) {
        element();
        out.append(v);
        return this;
    }

    JsonWriter nullValue() {
        element();
        out.append("null");
        return this;
    }

    JsonWriter field(String name, String v) {
        return name(name).value(v);
    }

    JsonWriter field(String name, long v) {
        return name(name).value(v);
    }

    JsonWriter field(String name, double v) {
        return name(name).value(v);
    }

    JsonWriter field(String name, boolean v) {
        return name(name).value(v);
    }

    /** The document; every container must be closed. */
    String toJson() {
        if (!open.isEmpty()) {
            throw new IllegalStateException(open.size() + " JSON container(s) still open");
        }
        return out.append('\n').toString();
    }

    /** Before a value or a name: the comma and line break, unless a name just introduced this value. */
    private void element() {
        if (afterName) {
            afterName = false;
            return;
        }
        boolean[] first = open.peek();
        if (first == null) {
            if (out.length() > 0) {
                throw new IllegalStateException("a JSON document has one top-level value");
            }
            return;
        }
        if (!first[0]) {
            out.append(',');
        }
        first[0] = false;
        newline(open.size());
    }

    private JsonWriter close(char c) {
        boolean[] first = open.pop();
        if (!first[0]) {
            newline(open.size());
        }
        out.append(c);
        return this;
    }

    private void newline(int depth) {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append("  ");
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
