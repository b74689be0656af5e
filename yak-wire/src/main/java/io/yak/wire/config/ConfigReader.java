package io.yak.wire.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads typed values from a {@code .properties} file and remembers which keys were read, so {@link #finish()}
 * can reject every key nobody asked for (a typo must stop the process, not be ignored). Every error names the
 * source, the key and the bad value. Lives in yak-wire because every YaK process reads its config this way.
 */
public final class ConfigReader {
    private final Properties props;
    private final String source;
    private final Set<String> used = new HashSet<>();

    public ConfigReader(Properties props, String source) {
        this.props = props;
        this.source = source;
    }

    /** Loads a properties file (UTF-8). */
    public static ConfigReader load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            // the reason in words ("no such file or directory"), not the bare path the exception carries
            throw new ConfigException("cannot read config file " + file + ": " + IoReasons.reason(e, file));
        }
        return new ConfigReader(p, file.toString());
    }

    public String source() {
        return source;
    }

    /** A reader over the same keys plus {@code key = value} where the file does not set it. */
    public ConfigReader withDefault(String key, String value) {
        Properties p = new Properties();
        p.putAll(props);
        if (p.getProperty(key) == null) {
            p.setProperty(key, value);
        }
        ConfigReader r = new ConfigReader(p, source);
        r.used.addAll(used);
        return r;
    }

    public boolean has(String key) {
        return props.getProperty(key) != null;
    }

    private String raw(String key) {
        used.add(key);
        String v = props.getProperty(key);
        return v == null ? null : v.trim();
    }

    public String string(String key, String defaultValue) {
        String v = raw(key);
        return v == null ? defaultValue : v;
    }

    public String requiredString(String key) {
        String v = raw(key);
        if (v == null || v.isEmpty()) {
            throw new ConfigException(source + ": missing required key '" + key + "'");
        }
        return v;
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(source + ": key '" + key + "' must be a whole number, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw new ConfigException(source + ": key '" + key + "' = " + n + " outside " + min + ".." + max);
        }
        return n;
    }

    public int intValue(String key, int defaultValue, int min, int max) {
        return (int) longValue(key, defaultValue, min, max);
    }

    public long requiredLong(String key, long min, long max) {
        requiredString(key);
        return longValue(key, 0, min, max);
    }

    public int requiredInt(String key, int min, int max) {
        return (int) requiredLong(key, min, max);
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(source + ": key '" + key + "' must be true or false, was '" + v + "'");
    }

    public HostPort hostPort(String key, HostPort defaultValue) {
        String v = raw(key);
        if (v == null) {
            if (defaultValue == null) {
                throw new ConfigException(source + ": missing required key '" + key + "' (host:port)");
            }
            return defaultValue;
        }
        return parseHostPort(key, v);
    }

    /** A host:port, or null when the key is absent or empty (a feature that is off without it). */
    public HostPort optionalHostPort(String key) {
        String v = raw(key);
        return v == null || v.isBlank() ? null : parseHostPort(key, v);
    }

    private HostPort parseHostPort(String key, String v) {
        try {
            return HostPort.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": key '" + key + "': " + e.getMessage());
        }
    }

    public Path path(String key, Path defaultValue) {
        String v = raw(key);
        if (v == null || v.isEmpty()) {
            if (defaultValue == null) {
                throw new ConfigException(source + ": missing required key '" + key + "' (a directory)");
            }
            return defaultValue;
        }
        return Path.of(v);
    }

    /**
     * Ends reading.
     *
     * @throws ConfigException naming every key that was never read
     */
    public void finish() {
        Set<String> unknown = new TreeSet<>(props.stringPropertyNames());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            throw new ConfigException(source + ": unknown key" + (unknown.size() > 1 ? "s " : " ") + unknown);
        }
    }
}
