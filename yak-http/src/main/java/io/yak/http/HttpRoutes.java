package io.yak.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The GET paths a server answers: exact paths, and prefixes for files under a folder. Built before the start. */
public final class HttpRoutes {
    private final Map<String, HttpRoute> exact = new LinkedHashMap<>();
    private final Map<String, HttpRoute> prefixes = new LinkedHashMap<>();

    public HttpRoutes get(String path, HttpRoute route) {
        if (exact.putIfAbsent(path, route) != null) {
            throw new IllegalArgumentException("two routes for " + path);
        }
        return this;
    }

    /** Every path starting with {@code prefix} (which ends with a slash), unless an exact path matches. */
    public HttpRoutes prefix(String prefix, HttpRoute route) {
        if (!prefix.endsWith("/") || prefixes.putIfAbsent(prefix, route) != null) {
            throw new IllegalArgumentException("bad or repeated prefix " + prefix);
        }
        return this;
    }

    HttpRoute find(String path) {
        HttpRoute r = exact.get(path);
        if (r != null) {
            return r;
        }
        for (Map.Entry<String, HttpRoute> e : prefixes.entrySet()) {
            if (path.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The paths, for the startup log line. */
    String describe() {
        List<String> all = new ArrayList<>(exact.keySet());
        for (String p : prefixes.keySet()) {
            all.add(p + "*");
        }
        return String.join(" ", all);
    }
}
