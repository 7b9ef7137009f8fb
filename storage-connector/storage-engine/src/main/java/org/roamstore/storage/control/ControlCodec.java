package org.roamstore.storage.control;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VerifyStatus;

/**
 * The bytes of the storage API's values that are not written component by component ({@link
 * RecordValue}): strings, instants, data, and the values whose layout has flags or bounds of its
 * own. Every count and length read is checked against a bound before anything is allocated, so a
 * malformed or hostile message fails with an {@link IOException} instead of exhausting memory; the
 * records' own constructors then validate the values as they would for a local caller.
 */
final class ControlCodec {
  static final int MAX_STRING_BYTES = 64 * 1024;
  static final int MAX_ITEMS = 100_000;

  /** Reads and writes through the control path; block I/O at speed goes through NBD instead. */
  static final int MAX_DATA_BYTES = 64 << 20;

  private static final WireValue<RealVolumeAddress> ADDRESS =
      new RecordValue<>(RealVolumeAddress.class);

  private ControlCodec() {}

  static void writeString(DataOutput out, String value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    byte[] bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static String readString(DataInput in) throws IOException {
    int length = in.readInt();
    if (length == -1) {
      return null;
    }
    checkLength("string", length, MAX_STRING_BYTES);
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A point in time to the millisecond, or null (written as a flag). */
  static void writeInstant(DataOutput out, Instant value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      out.writeLong(value.toEpochMilli());
    }
  }

  static Instant readInstant(DataInput in) throws IOException {
    return in.readBoolean() ? Instant.ofEpochMilli(in.readLong()) : null;
  }

  static void writeBytes(DataOutput out, byte[] data) throws IOException {
    out.writeInt(data.length);
    out.write(data);
  }

  static byte[] readBytes(DataInput in) throws IOException {
    int length = in.readInt();
    checkLength("data", length, MAX_DATA_BYTES);
    byte[] data = new byte[length];
    in.readFully(data);
    return data;
  }

  static int readCount(DataInput in, String what) throws IOException {
    int count = in.readInt();
    checkLength(what, count, MAX_ITEMS);
    return count;
  }

  static <E extends Enum<E>> E readEnum(DataInput in, Class<E> type) throws IOException {
    return parse(type, readString(in));
  }

  static void writeRegions(DataOutput out, OutOfSyncRegions regions) throws IOException {
    out.writeInt(regions.regionBytes());
    out.writeInt(regions.secondaries().size());
    for (String system : regions.secondaries()) {
      writeString(out, system);
      writeBytes(out, regions.regionsOf(system).toByteArray());
    }
  }

  static OutOfSyncRegions readRegions(DataInput in) throws IOException {
    int regionBytes = in.readInt();
    int count = readCount(in, "out-of-sync secondaries");
    Map<String, BitSet> regions = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      regions.put(readString(in), BitSet.valueOf(readBytes(in)));
    }
    return new OutOfSyncRegions(regionBytes, regions);
  }

  static void writeStatus(DataOutput out, StorageStatus status) throws IOException {
    writeString(out, status.storageSystem());
    writeString(out, status.nbdHost());
    out.writeInt(status.nbdPort());
    out.writeInt(status.volumes());
    out.writeLong(status.cacheCapacityBytes());
    out.writeLong(status.cacheDirtyBytes());
    out.writeByte(status.nbdTls().ordinal());
  }

  static StorageStatus readStatus(DataInput in) throws IOException {
    return new StorageStatus(
        readString(in),
        readString(in),
        in.readInt(),
        in.readInt(),
        in.readLong(),
        in.readLong(),
        NbdTlsMode.values()[in.readUnsignedByte()]);
  }

  static void writeSynchronization(DataOutput out, CacheSynchronization sync) throws IOException {
    writeString(out, sync.groupId());
    out.writeInt(sync.sequences().size());
    for (Map.Entry<String, Long> e : sync.sequences().entrySet()) {
      writeString(out, e.getKey());
      out.writeLong(e.getValue());
    }
    out.writeLong(sync.bytes());
    out.writeLong(sync.took().toNanos());
  }

  static CacheSynchronization readSynchronization(DataInput in) throws IOException {
    String groupId = readString(in);
    int count = readCount(in, "secondaries");
    Map<String, Long> sequences = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      sequences.put(readString(in), in.readLong());
    }
    return new CacheSynchronization(
        groupId, sequences, in.readLong(), Duration.ofNanos(in.readLong()));
  }

  static void writeCopyGroupStatus(DataOutput out, CopyGroupStatus status) throws IOException {
    ADDRESS.write(out, status.volume());
    writeString(out, status.groupId());
    writeString(out, status.role().name());
    out.writeLong(status.epoch());
    writeString(out, status.transferType() == null ? null : status.transferType().name());
    out.writeInt(status.secondaries().size());
    for (CopyGroupStatus.SecondaryStatus s : status.secondaries()) {
      writeString(out, s.storageSystem());
      writeString(out, s.state().name());
      out.writeLong(s.lagWrites());
      out.writeLong(s.lagBytes());
      out.writeDouble(s.estimatedSeconds());
      out.writeLong(s.outOfSyncBytes());
      out.writeInt(s.resyncPercent());
      writeVerifyStatus(out, s.verify());
    }
    out.writeBoolean(status.applied() != null);
    if (status.applied() != null) {
      out.writeLong(status.applied().fromEpoch());
      out.writeLong(status.applied().sequence());
      out.writeLong(status.applied().durableSequence());
      out.writeLong(status.applied().incarnation());
      out.writeLong(status.applied().lastWrite());
      out.writeBoolean(status.applied().resyncing());
    }
  }

  static CopyGroupStatus readCopyGroupStatus(DataInput in) throws IOException {
    RealVolumeAddress volume = ADDRESS.read(in);
    String groupId = readString(in);
    CopyGroupStatus.Role role = readEnum(in, CopyGroupStatus.Role.class);
    long epoch = in.readLong();
    String transfer = readString(in);
    TransferType transferType = transfer == null ? null : parse(TransferType.class, transfer);
    int count = readCount(in, "secondaries");
    List<CopyGroupStatus.SecondaryStatus> secondaries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      secondaries.add(
          new CopyGroupStatus.SecondaryStatus(
              readString(in),
              readEnum(in, CopyGroupStatus.State.class),
              in.readLong(),
              in.readLong(),
              in.readDouble(),
              in.readLong(),
              in.readInt(),
              readVerifyStatus(in)));
    }
    CopyGroupStatus.Applied applied =
        in.readBoolean()
            ? new CopyGroupStatus.Applied(
                in.readLong(),
                in.readLong(),
                in.readLong(),
                in.readLong(),
                in.readLong(),
                in.readBoolean())
            : null;
    return new CopyGroupStatus(volume, groupId, role, epoch, transferType, secondaries, applied);
  }

  private static void writeVerifyStatus(DataOutput out, VerifyStatus verify) throws IOException {
    out.writeBoolean(verify != null);
    if (verify == null) {
      return;
    }
    writeString(out, verify.outcome().name());
    writeInstant(out, verify.startedAt());
    writeInstant(out, verify.finishedAt());
    out.writeLong(verify.bytesVerified());
    out.writeLong(verify.bytesTotal());
    out.writeInt(verify.regionBytes());
    out.writeLong(verify.differingRegions());
    out.writeInt(verify.differingOffsets().size());
    for (long offset : verify.differingOffsets()) {
      out.writeLong(offset);
    }
    out.writeBoolean(verify.repair());
    writeString(out, verify.detail());
  }

  private static VerifyStatus readVerifyStatus(DataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    VerifyStatus.Outcome outcome = readEnum(in, VerifyStatus.Outcome.class);
    Instant startedAt = readInstant(in);
    Instant finishedAt = readInstant(in);
    long verified = in.readLong();
    long total = in.readLong();
    int regionBytes = in.readInt();
    long differing = in.readLong();
    int listed = in.readInt();
    if (listed < 0 || listed > VerifyStatus.LISTED) {
      throw new IOException("a verify lists 0.." + VerifyStatus.LISTED + " offsets, not " + listed);
    }
    List<Long> offsets = new ArrayList<>(listed);
    for (int i = 0; i < listed; i++) {
      offsets.add(in.readLong());
    }
    return new VerifyStatus(
        outcome,
        startedAt,
        finishedAt,
        verified,
        total,
        regionBytes,
        differing,
        offsets,
        in.readBoolean(),
        readString(in));
  }

  static <E extends Enum<E>> E parse(Class<E> type, String name) throws IOException {
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IOException("no " + type.getSimpleName() + " named " + name);
    }
  }

  private static void checkLength(String what, int length, int max) throws IOException {
    if (length < 0 || length > max) {
      throw new IOException(what + " length " + length + " is outside 0.." + max);
    }
  }
}
