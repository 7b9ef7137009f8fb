package org.roamstore.storage.replication.batch;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.roamstore.storage.api.Destinations;

/**
 * The wire format. A batch is a bytes message whose properties say where it belongs (group, stream,
 * source) and, for each secondary it is for, its sequence range in that secondary's stream (the
 * route, {@link Destinations#ROUTE}: {@code |site:first:last|...|}, which the brokers route on),
 * and whose body holds its writes one after the other: offset (8 bytes), length (8), kind (1: 0 =
 * data, 1 = zeros, 2 = verify: checksum the range and report it), then the data for kind 0. The
 * n-th entry has sequence {@code first + n}. A batch that asks for a checkpoint (someone at the
 * primary waits until it is durable at the secondary) says so in a property. An acknowledgement is
 * an empty message with properties only, and the digests of the verify entries applied since the
 * last one.
 */
public final class BatchFormat {
  public static final String GROUP = "rsGroup";
  public static final String EPOCH = "rsEpoch";
  public static final String INCARNATION = "rsIncarnation";
  public static final String SOURCE = "rsSource";
  public static final String CHECKPOINT = "rsCheckpoint";
  public static final String LAST_WRITE = "rsLastWrite";
  public static final String RESYNCING = "rsResyncing";
  // Acknowledgements.
  public static final String FROM = "rsFrom";
  public static final String APPLIED = "rsApplied";
  public static final String DURABLE = "rsDurable";
  public static final String DIGESTS = "rsDigests";

  public static final int ENTRY_HEADER_BYTES = 17;
  private static final byte DATA = 0;
  private static final byte ZEROES = 1;
  private static final byte VERIFY = 2;

  private BatchFormat() {}

  /** Appends one entry to {@code body}, which must have room for it. */
  public static void putEntry(ByteBuffer body, long offset, long length, ByteBuffer data) {
    body.putLong(offset).putLong(length).put(data == null ? ZEROES : DATA);
    if (data != null) {
      body.put(data.duplicate());
    }
  }

  /** Appends a verify entry (no data) to {@code body}, which must have room for it. */
  public static void putVerify(ByteBuffer body, long offset, long length) {
    body.putLong(offset).putLong(length).put(VERIFY);
  }

  public static int entryBytes(long length, boolean zeroes) {
    return ENTRY_HEADER_BYTES + (zeroes ? 0 : Math.toIntExact(length));
  }

  /** The entries of a received body, views into {@code body}. */
  public static List<BatchEntry> entries(ByteBuffer body) {
    List<BatchEntry> entries = new ArrayList<>();
    while (body.hasRemaining()) {
      long offset = body.getLong();
      long length = body.getLong();
      byte kind = body.get();
      if (offset < 0 || length < 0 || kind < DATA || kind > VERIFY) {
        throw new IllegalArgumentException("malformed batch entry at byte " + body.position());
      }
      ByteBuffer data = null;
      if (kind == DATA) {
        int n = Math.toIntExact(length);
        data = body.slice(body.position(), n);
        body.position(body.position() + n);
      }
      entries.add(
          kind == VERIFY
              ? BatchEntry.verify(offset, length)
              : new BatchEntry(offset, length, data));
    }
    return entries;
  }

  /**
   * The header of a batch.
   *
   * @param checkpoint the secondary should make the batch durable as soon as it has applied it,
   *     instead of at its next periodic checkpoint
   * @param lastWrite the primary's number of the last write in the stream up to this batch's end;
   *     -1 if unknown
   * @param resyncing the primary was still copying regions the secondary missed
   */
  public record Header(
      String groupId,
      StreamKey stream,
      String source,
      long first,
      long last,
      boolean checkpoint,
      long lastWrite,
      boolean resyncing) {

    public Header(String groupId, StreamKey stream, String source, long first, long last) {
      this(groupId, stream, source, first, last, false);
    }

    public Header(
        String groupId,
        StreamKey stream,
        String source,
        long first,
        long last,
        boolean checkpoint) {
      this(groupId, stream, source, first, last, checkpoint, -1, false);
    }

    /** The header of a batch as {@code site} is to take it (its sequences in its stream). */
    public static Header of(Message message, String site) throws JMSException {
      long[] range = range(message.getStringProperty(Destinations.ROUTE), site);
      return new Header(
          message.getStringProperty(GROUP),
          new StreamKey(message.getLongProperty(EPOCH), message.getLongProperty(INCARNATION)),
          message.getStringProperty(SOURCE),
          range[0],
          range[1],
          message.propertyExists(CHECKPOINT) && message.getBooleanProperty(CHECKPOINT),
          message.propertyExists(LAST_WRITE) ? message.getLongProperty(LAST_WRITE) : -1,
          message.propertyExists(RESYNCING) && message.getBooleanProperty(RESYNCING));
    }

    /** Writes the header for {@code site} alone. */
    public void writeTo(Message message, String site) throws JMSException {
      writeTo(message, List.of(new Recipient(site, first, last)));
    }

    /**
     * Writes the header for every one of {@code recipients}, which take the same body each at its
     * own sequences (this header's own {@code first} and {@code last} are not written).
     */
    public void writeTo(Message message, List<Recipient> recipients) throws JMSException {
      message.setStringProperty(GROUP, groupId);
      message.setLongProperty(EPOCH, stream.epoch());
      message.setLongProperty(INCARNATION, stream.incarnation());
      message.setStringProperty(SOURCE, source);
      message.setStringProperty(Destinations.ROUTE, route(recipients));
      if (checkpoint) {
        message.setBooleanProperty(CHECKPOINT, true);
      }
      if (lastWrite >= 0) {
        message.setLongProperty(LAST_WRITE, lastWrite);
      }
      if (resyncing) {
        message.setBooleanProperty(RESYNCING, true);
      }
    }
  }

  /** A secondary a batch is for, and the batch's sequences in that secondary's stream. */
  public record Recipient(String site, long first, long last) {}

  static String route(List<Recipient> recipients) {
    StringBuilder route = new StringBuilder();
    for (Recipient r : recipients) {
      route.append(Destinations.routeKey(r.site())).append(r.first()).append(':').append(r.last());
    }
    return route.append('|').toString();
  }

  /** {@code site}'s first and last sequence in {@code route}. */
  static long[] range(String route, String site) {
    String entry = Destinations.routeEntry(route, site);
    if (entry == null) {
      throw new IllegalArgumentException("a write data batch not for " + site + ": " + route);
    }
    int colon = entry.indexOf(':');
    try {
      long first = Long.parseLong(entry, 0, Math.max(colon, 0), 10);
      long last = Long.parseLong(entry, colon + 1, entry.length(), 10);
      if (first < 1 || last < first) {
        throw new IllegalArgumentException("a malformed route of write data: " + route);
      }
      return new long[] {first, last};
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a malformed route of write data: " + route, e);
    }
  }

  /** Reads the whole body of a received batch. */
  public static ByteBuffer body(BytesMessage message) throws JMSException {
    return body(message, null);
  }

  /**
   * Reads the whole body of a received batch into {@code reuse} if it is large enough (else into a
   * new array): the receiver applies a batch at once and keeps only the few it must hold back, so
   * one buffer serves them all instead of a megabyte allocated per message (a G1 "humongous"
   * allocation each, outside the young generation).
   */
  public static ByteBuffer body(BytesMessage message, byte[] reuse) throws JMSException {
    int length = Math.toIntExact(message.getBodyLength());
    byte[] bytes = reuse != null && reuse.length >= length ? reuse : new byte[length];
    if (length > 0 && message.readBytes(bytes, length) != length) {
      throw new IllegalArgumentException("the body of a write data batch ended early");
    }
    return ByteBuffer.wrap(bytes, 0, length).slice();
  }

  /**
   * An acknowledgement from a secondary: applied to its cache, durable there, and the digests of
   * the verify entries it applied since its last acknowledgement (all at or below {@code applied}).
   */
  public record Ack(
      String groupId,
      StreamKey stream,
      String from,
      long applied,
      long durable,
      List<RegionDigest> digests) {

    public Ack {
      digests = List.copyOf(digests);
    }

    public Ack(String groupId, StreamKey stream, String from, long applied, long durable) {
      this(groupId, stream, from, applied, durable, List.of());
    }

    public static Ack of(Message message) throws JMSException {
      return new Ack(
          message.getStringProperty(GROUP),
          new StreamKey(message.getLongProperty(EPOCH), message.getLongProperty(INCARNATION)),
          message.getStringProperty(FROM),
          message.getLongProperty(APPLIED),
          message.getLongProperty(DURABLE),
          RegionDigest.decode(message.getStringProperty(DIGESTS)));
    }

    public void writeTo(Message message) throws JMSException {
      message.setStringProperty(GROUP, groupId);
      message.setLongProperty(EPOCH, stream.epoch());
      message.setLongProperty(INCARNATION, stream.incarnation());
      message.setStringProperty(FROM, from);
      message.setLongProperty(APPLIED, applied);
      message.setLongProperty(DURABLE, durable);
      if (!digests.isEmpty()) {
        message.setStringProperty(DIGESTS, RegionDigest.encode(digests));
      }
    }
  }
}
