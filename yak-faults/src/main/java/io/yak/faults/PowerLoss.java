package io.yak.faults;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * What a power loss does to a killed broker's data ({@code yak-broker/STORAGE.md}): sealed segments and the small
 * metadata files were forced and survive; the active segment's tail past the recovery point was only in the page
 * cache, so a random part of it is lost, either cut off (the file is shorter) or zeroed (pages never written back).
 * The cut never reaches below the recovery point: those records were forced, and a real power loss cannot take
 * them (recovery would rightly refuse such a log, STORAGE.md "Recovery" step 9). Only for a broker that is not
 * running.
 */
final class PowerLoss {
    /** STORAGE.md, "Segment header": batches start after 16 bytes. */
    private static final int SEGMENT_HEADER_BYTES = 16;
    /** STORAGE.md, "Recovery-point file": 36 bytes, magic "YKR1", the recovery point at 8. */
    private static final int RECOVERY_POINT_FILE_BYTES = 36;
    private static final int RECOVERY_POINT_MAGIC = 0x594B5231;
    private static final int RECOVERY_POINT_POSITION = 8;

    private PowerLoss() {
    }

    /**
     * Cuts the unforced tail of the active segment of each partition of {@code topic} under {@code dataDir}.
     *
     * @return one description per partition: the file, the cut and the offsets that may be gone
     */
    static List<String> cutTails(Path dataDir, String topic, Random random) throws IOException {
        List<String> out = new ArrayList<>();
        List<Path> partitionDirs;
        try (Stream<Path> dirs = Files.list(dataDir)) {
            partitionDirs = dirs.filter(d -> d.getFileName().toString().startsWith(topic + "-")).sorted().toList();
        }
        for (Path dir : partitionDirs) {
            out.add(dir.getFileName() + ": " + cutTail(dir, random));
        }
        return out;
    }

    private static String cutTail(Path partitionDir, Random random) throws IOException {
        List<Path> segments;
        try (Stream<Path> files = Files.list(partitionDir)) {
            segments = files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.log")).sorted().toList();
        }
        if (segments.isEmpty()) {
            return "no segment";
        }
        Path active = segments.get(segments.size() - 1);
        long recoveryPoint = recoveryPoint(partitionDir);
        byte[] bytes = Files.readAllBytes(active);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        int forcedEnd = SEGMENT_HEADER_BYTES;
        int dataEnd = SEGMENT_HEADER_BYTES;
        long firstUnforced = -1;
        int position = SEGMENT_HEADER_BYTES;
        while (position + RecordBatchLayout.RECORDS_OFFSET <= bytes.length) {
            batch.wrap(buf, position, bytes.length);
            if (batch.batchLength() < RecordBatchLayout.MIN_BATCH_LENGTH || batch.magic() != RecordBatchLayout.MAGIC_V2
                || position + batch.sizeInBytes() > bytes.length) {
                break;
            }
            position += batch.sizeInBytes();
            dataEnd = position;
            if (batch.lastOffset() < recoveryPoint) {
                forcedEnd = position;
            } else if (firstUnforced < 0) {
                firstUnforced = batch.baseOffset();
            }
        }
        if (dataEnd <= forcedEnd) {
            return active.getFileName() + " has no unforced batch (recovery point " + recoveryPoint + "): kept";
        }
        int cut = forcedEnd + random.nextInt(dataEnd - forcedEnd + 1);
        boolean zero = random.nextBoolean();
        try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE)) {
            if (zero) {
                ch.write(ByteBuffer.allocate(dataEnd - cut), cut);
            } else {
                ch.truncate(cut);
            }
            ch.force(true);
        }
        return (zero ? "zeroed " : "cut ") + active.getFileName() + " from position " + cut + " of " + dataEnd
            + " (unforced from position " + forcedEnd + ", offset " + firstUnforced + "; recovery point "
            + recoveryPoint + ")";
    }

    /** The recovery point the broker last wrote, or -1 when the file is missing or not valid (nothing is known forced). */
    private static long recoveryPoint(Path partitionDir) throws IOException {
        Path file = partitionDir.resolve("recovery-point");
        if (!Files.exists(file)) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        if (b.capacity() != RECOVERY_POINT_FILE_BYTES || b.getInt(0) != RECOVERY_POINT_MAGIC) {
            return -1;
        }
        return b.getLong(RECOVERY_POINT_POSITION);
    }
}
