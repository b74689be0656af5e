package io.yak.wire.config;

/**
 * What a topic name may be, as in Kafka: {@code [a-zA-Z0-9._-]{1,249}}, and neither {@code .} nor {@code ..} (a
 * partition's directory is named {@code <topic>-<partition>}). {@code WIRE.md}, CREATE_TOPIC_REQUEST, states the
 * rule; the coordinator refuses to create any other name and a broker answers {@code INVALID_TOPIC} to a publish,
 * consume or list-offsets naming one, without treating it as a topic at all (issue 19: a topic name holding a
 * newline reached a log line).
 *
 * <p>Stateless, any thread; no allocation, so a broker may check every name a request carries.
 */
public final class TopicNames {
    /** Longest valid topic name, in chars (all ASCII, so also in bytes). */
    public static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    /** True when {@code name} is a valid topic name; false for null. */
    public static boolean isValid(CharSequence name) {
        if (name == null) {
            return false;
        }
        int length = name.length();
        if (length < 1 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return !(length == 1 && name.charAt(0) == '.') && !(length == 2 && name.charAt(0) == '.'
            && name.charAt(1) == '.');
    }
}
