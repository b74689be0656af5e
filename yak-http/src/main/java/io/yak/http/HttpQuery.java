package io.yak.http;

import java.util.List;
import java.util.Map;

/** A GET request's path (decoded) and query parameters. */
public record HttpQuery(String path, Map<String, List<String>> parameters) {
    /** The first value of a parameter, or null. */
    public String parameter(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
