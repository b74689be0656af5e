package io.yak.http;

import java.nio.charset.StandardCharsets;

/**
 * What a route answers: status, content type and body.
 *
 * @param cacheSeconds how long a browser may keep it; 0: never (live data)
 */
public record HttpAnswer(int status, String contentType, byte[] body, int cacheSeconds) {
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    public static HttpAnswer ok(String contentType, byte[] body) {
        return new HttpAnswer(200, contentType, body, 0);
    }

    public static HttpAnswer json(int status, byte[] body) {
        return new HttpAnswer(status, JSON, body, 0);
    }

    /** A plain-text answer, with a line end. */
    public static HttpAnswer text(int status, String message) {
        return new HttpAnswer(status, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8), 0);
    }
}
