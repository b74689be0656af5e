package io.yak.wire.config;

/** A {@code host:port} pair from configuration or the command line; port 0 means "any free port". */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " outside 0..65535");
        }
    }

    /**
     * Parses {@code host:port}.
     *
     * @throws IllegalArgumentException with the offending text
     */
    public static HostPort parse(String text) {
        if (text != null && (text.indexOf(',') >= 0 || text.trim().matches(".*:.*\\s.*:.*"))) {
            throw new IllegalArgumentException("'" + text + "' is not one host:port (a list is not accepted: YaK "
                + "clients bootstrap from the one coordinator)");
        }
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not host:port");
        }
        try {
            return new HostPort(text.substring(0, colon).trim(), Integer.parseInt(text.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a non-numeric port", e);
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
