package io.yak.wire.log;

/**
 * Makes a string a peer sent (topic name, client id, group, host) safe to put in a log line: control characters
 * and other invisible code points are shown escaped ({@code \n}, {@code \t}, {@code \u0007}), a backslash is
 * doubled so an escape in the input cannot pass for one of ours, and the text is cut to {@link #MAX_CHARS}. A
 * peer can then neither forge a log line (issue 19: a topic name with a newline wrote a fake ERROR line) nor fill
 * the log with one field.
 *
 * <p>Stateless and thread-safe. Returns its argument unchanged (no allocation) when nothing needs escaping, so it
 * may sit on the arguments of any log call; a hot path should still not build log lines.
 */
public final class LogText {
    /** Longest text logged from one peer-supplied value, in chars of the input; the rest is counted, not shown. */
    public static final int MAX_CHARS = 256;

    private LogText() {
    }

    /** {@code text} escaped and bounded; {@code "null"} for null. */
    public static String safe(CharSequence text) {
        if (text == null) {
            return "null";
        }
        int length = text.length();
        if (length <= MAX_CHARS && isPlain(text)) {
            return text.toString();
        }
        int shown = Math.min(length, MAX_CHARS);
        StringBuilder sb = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            appendEscaped(sb, text.charAt(i));
        }
        if (length > shown) {
            sb.append("...(").append(length - shown).append(" more chars)");
        }
        return sb.toString();
    }

    private static boolean isPlain(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || needsEscape(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi controls, which some log viewers
     * render as line breaks or use to reorder what follows.
     */
    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
            || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f';
    }

    private static void appendEscaped(StringBuilder sb, char c) {
        switch (c) {
            case '\\' -> sb.append("\\\\");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> {
                if (needsEscape(c)) {
                    sb.append("\\u");
                    String hex = Integer.toHexString(c);
                    for (int pad = hex.length(); pad < 4; pad++) {
                        sb.append('0');
                    }
                    sb.append(hex);
                } else {
                    sb.append(c);
                }
            }
        }
    }
}
