package io.yak.wire.config;

/** A bad configuration: names the key, the value and what was expected. Stops the process at start. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
