package io.yak.bench.jmh;

/**
 * JVM flags for the forked benchmark JVMs ({@code @Fork(jvmArgsAppend = ...)}): the four of
 * {@code ../shared/DEPENDENCIES.md} that Agrona and the mapped-file code need on JDK 17, plus a quieter log level so
 * the broker's INFO lines do not interleave with JMH's output.
 */
final class Flags {
    static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String EXPORT_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String QUIET_LOG = "-Dyak.log.level=WARN";

    private Flags() {
    }
}
