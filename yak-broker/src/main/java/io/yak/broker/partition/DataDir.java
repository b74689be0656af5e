package io.yak.broker.partition;

import io.yak.broker.log.DurableFiles;
import io.yak.wire.config.TopicNames;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's data.dir: the partition directories found at start, its lock ({@link DataDirLock}), the
 * {@value #META_FILE} file naming the broker it belongs to, and the check, at the first cluster view, that no
 * partition the cluster has on this broker is missing from it (a disk that did not mount).
 *
 * <p>Threads: {@link #scan} at start; {@link #confirm} and {@link #isMissing} on the metadata thread;
 * {@link #unlock} at close, once no writer thread can touch a log.
 */
final class DataDir {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(\\d+)");
    /** Marks a data.dir as this broker's: {@code broker.id=N}. */
    static final String META_FILE = "broker.meta";
    /**
     * Present only between a clean shutdown, where every log closed cleanly, and the next start, which removes it
     * before registering: its absence at start means the previous process crashed or lost power (or the directory is
     * new), so the coordinator must not trust this broker to hold every record it acknowledged.
     */
    static final String CLEAN_SHUTDOWN_FILE = ".clean_shutdown";

    private final int brokerId;
    private final Path dir;
    /** Held while the logs are open. */
    private volatile DataDirLock dirLock;
    /**
     * False from {@link #scan} while the data.dir is empty and has no {@value #META_FILE}: until the first cluster
     * view shows whether this broker id already has partitions (then their data is missing: a disk that did not
     * mount?) or not (a new broker: the file is written). Link thread.
     */
    private boolean confirmed = true;
    /** The partition directories {@link #scan} found in a data.dir without {@value #META_FILE}. */
    private Set<String> foundAtStart = Set.of();
    /**
     * The partitions the cluster had on this broker when its data.dir was found empty: they stay offline (new ones
     * are created as usual). Link thread.
     */
    private Set<String> missingData = Set.of();
    /**
     * Partition directories found at start that no cluster view has accounted for yet: each is kept (its topic is in
     * the view, with its id), or deleted (its topic was deleted, or created again, while this broker was down).
     * Link thread.
     */
    private final Set<String> unresolved = new java.util.TreeSet<>();
    /** Suffix of a partition directory whose topic was deleted, until its files are removed. */
    static final String DELETED_DIR_SUFFIX = ".deleted";
    /** Whether {@link #scan} found {@value #CLEAN_SHUTDOWN_FILE}. */
    private volatile boolean previousShutdownClean;

    DataDir(int brokerId, Path dir) {
        this.brokerId = brokerId;
        this.dir = dir;
    }

    /** The directory of the partition named {@code name}. */
    Path resolve(String name) {
        return dir.resolve(name);
    }

    /**
     * Lists the partition directories under the data dir. Their logs are opened (and recovered) on their writer
     * threads as soon as the coordinator's metadata confirms this broker leads them, so each opens with its
     * topic's configs; until then requests for them get the retriable PARTITION_OFFLINE.
     */
    void scan() throws IOException {
        Files.createDirectories(dir);
        lock();
        List<String> found = new ArrayList<>();
        List<Path> retired = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                Matcher m = PARTITION_DIR.matcher(name);
                if (name.endsWith(DELETED_DIR_SUFFIX)) {
                    retired.add(d);
                } else if (m.matches()) {
                    found.add(name);
                }
            }
        }
        for (Path d : retired) {
            LOG.info("broker {}: deleting {}, a partition directory of a deleted topic left by the previous process",
                brokerId, d);
            deleteTree(d);
        }
        Collections.sort(found);
        unresolved.addAll(found);
        Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        previousShutdownClean = Files.exists(marker);
        if (previousShutdownClean) {
            // gone before the coordinator hears of this process: a crash from now on must not look clean
            Files.delete(marker);
            DurableFiles.syncDirectory(dir);
        }
        LOG.info("broker {}: the previous process {}", brokerId, previousShutdownClean ? "shut down cleanly"
            : "did not shut down cleanly (a crash, a power loss, or a new data.dir): the coordinator will not count "
            + "this broker as holding every acknowledged record where another replica does");
        LOG.info("broker {}: data.dir {} holds {} partition(s) {}; each opens when the coordinator confirms its "
            + "leadership", brokerId, dir.toAbsolutePath(), found.size(), found);
        Path meta = dir.resolve(META_FILE);
        if (Files.exists(meta)) {
            int owner = readMetaBrokerId(meta);
            if (owner != brokerId) {
                throw new IOException("it belongs to broker " + owner + " (" + META_FILE + "), not to broker "
                    + brokerId + ": wrong data.dir or broker.id?");
            }
        } else {
            // A new broker, a data.dir from before broker.meta existed, or one whose disk did not mount: the first
            // cluster view tells (confirm), from the partitions found here now.
            foundAtStart = Set.copyOf(found);
            confirmed = false;
        }
    }

    private static int readMetaBrokerId(Path meta) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            return Integer.parseInt(p.getProperty("broker.id", "").trim());
        } catch (NumberFormatException e) {
            throw new IOException(meta + " has no valid broker.id line (broker.id=N)", e);
        }
    }

    private void writeMeta() throws IOException {
        DurableFiles.replace(dir.resolve(META_FILE), ("# The broker whose partition logs live in this directory.\n"
            + "broker.id=" + brokerId + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The topic id recorded in a partition directory ({@value io.yak.broker.log.PartitionLog#TOPIC_ID_FILE},
     * {@code topic.id=N}), or 0 when none is (a directory of a build before topic ids, or none at all).
     */
    static long readTopicId(Path partitionDir) {
        Path file = partitionDir.resolve(io.yak.broker.log.PartitionLog.TOPIC_ID_FILE);
        if (!Files.exists(file)) {
            return 0;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return Long.parseLong(p.getProperty("topic.id", "0").trim());
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot read {}: {}; the partition's topic id counts as unknown", file, e.toString());
            return 0;
        }
    }

    /** Records {@code topicId} in a partition directory, atomically and durably. Writer thread. */
    static void writeTopicId(Path partitionDir, long topicId) throws IOException {
        DurableFiles.replace(partitionDir.resolve(io.yak.broker.log.PartitionLog.TOPIC_ID_FILE),
            ("# The id of the topic this partition belongs to (the cluster epoch it was created at).\n"
                + "topic.id=" + topicId + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Renames the directory of partition {@code name} to {@code name.<n>.deleted} (and syncs the data.dir), so that a
     * partition of that name created afterwards starts in a new directory while mapped files of the old one are
     * still released later. Writer thread of that partition name.
     *
     * @return the new path, or null when there was no such directory
     */
    Path retire(String name) throws IOException {
        Path from = dir.resolve(name);
        if (!Files.exists(from)) {
            return null;
        }
        Path to = dir.resolve(name + "." + System.nanoTime() + DELETED_DIR_SUFFIX);
        Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.syncDirectory(dir);
        return to;
    }

    /** Deletes a directory and everything in it; logs and goes on when a file cannot be deleted. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.error("cannot delete {}: {}; delete it by hand", root, e.toString());
        }
    }

    /**
     * Link thread, at each cluster view until every partition directory found at start is accounted for: a directory
     * whose topic is in the view with the same id (or one of them unknown) is kept; one whose topic was created again
     * (another id) or is gone from the view is deleted, on the writer thread of its name, so before any new partition
     * of that name opens. A directory whose topic is gone is deleted only when its recorded topic id is at most the
     * view's epoch: a coordinator that lost its state (a new cluster at a low epoch) does not wipe brokers; one
     * without a recorded id is kept, with a WARN.
     *
     * @param writerOf the writer thread of a partition name (topic, index)
     */
    void deleteStale(ClusterMetadata metadata, java.util.function.BiFunction<String, Integer, Executor> writerOf) {
        if (unresolved.isEmpty() || metadata.epoch() <= 0) {
            return;
        }
        for (java.util.Iterator<String> it = unresolved.iterator(); it.hasNext(); ) {
            String name = it.next();
            Matcher m = PARTITION_DIR.matcher(name);
            if (!m.matches()) {
                it.remove();
                continue;
            }
            String topic = m.group(1);
            int index;
            try {
                index = Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                it.remove();
                continue;
            }
            TopicInfo t = metadata.topic(topic);
            long stored = readTopicId(dir.resolve(name));
            String why;
            if (t != null && index < t.partitionCount()) {
                if (stored == 0 || t.topicId() == TopicInfo.NO_TOPIC_ID || stored == t.topicId()) {
                    it.remove(); // this topic's: kept
                    continue;
                }
                why = "topic " + topic + " was deleted and created again (topic id " + stored + " here, "
                    + t.topicId() + " now)";
            } else if (stored == 0) {
                it.remove();
                LOG.warn("broker {}: partition directory {} belongs to no topic of the cluster view of epoch {} and "
                    + "records no topic id: kept; delete it by hand if its topic was deleted", brokerId,
                    dir.resolve(name), metadata.epoch());
                continue;
            } else if (stored > metadata.epoch()) {
                it.remove();
                LOG.error("broker {}: partition directory {} belongs to topic id {}, newer than the cluster view's "
                    + "epoch {}: did the coordinator lose its state? Kept", brokerId, dir.resolve(name), stored,
                    metadata.epoch());
                continue;
            } else {
                why = "topic " + topic + (t == null ? " was deleted" : " has no partition " + index)
                    + " while this broker was down";
            }
            it.remove();
            LOG.info("broker {}: deleting partition directory {}: {}", brokerId, dir.resolve(name), why);
            try {
                writerOf.apply(topic, index).execute(() -> {
                    try {
                        deleteTree(retire(name));
                    } catch (IOException | RuntimeException e) {
                        LOG.error("broker {}: cannot delete partition directory {}: {}", brokerId, dir.resolve(name),
                            e.toString());
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("broker {}: closing; {} not deleted", brokerId, name);
            }
        }
    }

    boolean previousShutdownClean() {
        return previousShutdownClean;
    }

    /** At close, once every log closed cleanly and no writer runs: writes {@value #CLEAN_SHUTDOWN_FILE}. */
    void markCleanShutdown() {
        try {
            DurableFiles.replace(dir.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
        } catch (IOException e) {
            LOG.warn("broker {}: cannot write {}: the next start counts as after a crash: {}", brokerId,
                dir.resolve(CLEAN_SHUTDOWN_FILE), e.toString());
        }
    }

    /** Metadata thread: whether the first cluster view is still to be checked against the directory. */
    boolean needsConfirmation() {
        return !confirmed;
    }

    /** Metadata thread: whether {@code name} is one of the partitions whose data {@link #confirm} found missing. */
    boolean isMissing(String name) {
        return missingData.contains(name);
    }

    /**
     * The first cluster view after starting on a data.dir without {@value #META_FILE}. Every partition the cluster
     * has on this broker id has its directory (none at all: a new broker; all of them: a data.dir from before the
     * file existed): the file is written, on {@code writer} (this is the link's event loop). Some are missing: their
     * data is gone, or the disk did not mount, or data.dir is wrong; creating them empty would give their offsets
     * out again from 0, so they stay offline, and the file is not written, so the check holds at every start until
     * an operator decides (partitions created meanwhile do not make the directory look complete).
     */
    void confirm(ClusterMetadata metadata, Executor writer) {
        List<String> missing = new ArrayList<>();
        for (TopicInfo t : metadata.topics()) {
            if (!TopicNames.isValid(t.name())) {
                continue; // never served here (Leadership.onMetadata)
            }
            for (PartitionInfo info : t.partitions()) {
                String name = t.name() + "-" + info.partition();
                if (info.isReplica(brokerId) && !foundAtStart.contains(name)) {
                    missing.add(name);
                }
            }
        }
        confirmed = true;
        if (missing.isEmpty()) {
            try {
                writer.execute(() -> {
                    try {
                        writeMeta();
                    } catch (IOException | RuntimeException e) {
                        LOG.error("broker {}: cannot write {}: {}", brokerId, dir.resolve(META_FILE),
                            e.toString());
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("broker {}: closing; {} not written", brokerId, META_FILE);
            }
            return;
        }
        missingData = Set.copyOf(missing);
        LOG.error("broker {}: data.dir {} has no {} and lacks {} partition(s) the cluster has on broker {} {}: is the "
                + "disk mounted, is data.dir right? They stay offline rather than start empty from offset 0. If "
                + "their data is really gone, write 'broker.id={}' to {} and restart this broker: they are then "
                + "created empty", brokerId, dir.toAbsolutePath(), META_FILE, missing.size(), brokerId, missing,
            brokerId, dir.resolve(META_FILE));
    }

    /**
     * Takes {@code data.dir/.lock} ({@link DataDirLock}), so that a second broker (a copied config, a wrong broker.id)
     * cannot open the same partition logs. A no-op when this broker holds it already.
     */
    private void lock() throws IOException {
        if (dirLock == null) {
            dirLock = DataDirLock.acquire(dir, "broker");
        }
    }

    void unlock() {
        DataDirLock lock = dirLock;
        dirLock = null;
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                LOG.warn("broker {}: releasing the lock of {} failed: {}", brokerId, dir, e.toString());
            }
        }
    }
}
