package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.Queues;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * A secondary fed hand-made batches through the broker, as a primary (or a broker redelivering)
 * could send them: duplicates, a gap, a stale epoch.
 */
class WriteDataReceiveTest {
  private static final StreamKey EPOCH_2 = new StreamKey(2, 1);

  @TempDir Path root;

  @Test
  void duplicatesChangeNothingAGapIsWaitedForAndAStaleEpochIsRefused() throws Exception {
    try (RemoteCopySites sites =
            RemoteCopySites.withEmbeddedBroker(root, RemoteCopySettings.DEFAULTS);
        Connection jms = sites.connectionFactory().createConnection()) {
      sites.open("portland");
      try (StorageConnection portland = sites.unit("portland").connect()) {
        portland.createVolume("v", 4 * MIB);
        portland.defineCopyGroup(
            new CopyVolumeGroupInfo(
                "g",
                TransferType.ASYNC,
                2,
                List.of(
                    new CopyGroupMember(new RealVolumeAddress("seattle", "v"), true),
                    new CopyGroupMember(new RealVolumeAddress("portland", "v"), false))));
      }
      Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageProducer producer =
          session.createProducer(session.createQueue(Queues.writeData("portland")));
      MessageConsumer acks = session.createConsumer(session.createQueue(Queues.acks("seattle")));
      jms.start();

      BytesMessage first = batch(session, EPOCH_2, 1, page(0, 0x11), page(8192, 0x22));
      producer.send(first);
      producer.send(batch(session, EPOCH_2, 1, page(0, 0x11), page(8192, 0x22))); // redelivered
      awaitDurable(sites, 2);
      assertPage(sites, 0, 0x11);
      assertPage(sites, 8192, 0x22);

      producer.send(batch(session, EPOCH_2, 4, page(0, 0x44))); // 3 is missing
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(3))
          .until(() -> applied(sites).sequence() == 2);
      assertPage(sites, 0, 0x11);

      producer.send(batch(session, EPOCH_2, 3, page(8192, 0x33))); // the gap closes
      awaitDurable(sites, 4);
      assertPage(sites, 0, 0x44);
      assertPage(sites, 8192, 0x33);

      producer.send(batch(session, new StreamKey(1, 9), 1, page(0, 0x55))); // older epoch
      producer.send(batch(session, EPOCH_2, 1, page(0, 0x11), page(8192, 0x22))); // old duplicate
      producer.send(batch(session, EPOCH_2, 5, page(4096, 0x66))); // a marker that all came through
      awaitDurable(sites, 5);
      assertPage(sites, 0, 0x44);
      assertPage(sites, 8192, 0x33);
      assertPage(sites, 4096, 0x66);

      BatchFormat.Ack last = null;
      for (var m = acks.receive(2000); m != null; m = acks.receive(200)) {
        last = BatchFormat.Ack.of(m);
      }
      assertEquals(new BatchFormat.Ack("g", EPOCH_2, "portland", 5, 5), last);
    }
  }

  private static ByteBuffer[] page(long offset, int fill) {
    byte[] data = new byte[4096];
    Arrays.fill(data, (byte) fill);
    return new ByteBuffer[] {ByteBuffer.allocate(8).putLong(0, offset), ByteBuffer.wrap(data)};
  }

  @SafeVarargs
  private static BytesMessage batch(
      Session session, StreamKey stream, long first, ByteBuffer[]... writes) throws JMSException {
    ByteBuffer body = ByteBuffer.allocate(writes.length * (4096 + BatchFormat.ENTRY_HEADER_BYTES));
    for (ByteBuffer[] w : writes) {
      BatchFormat.putEntry(body, w[0].getLong(0), w[1].remaining(), w[1]);
    }
    BytesMessage message = session.createBytesMessage();
    new BatchFormat.Header("g", stream, "seattle", first, first + writes.length - 1)
        .writeTo(message);
    message.writeBytes(body.array(), 0, body.position());
    return message;
  }

  private static CopyGroupStatus.Applied applied(RemoteCopySites sites) {
    try (StorageConnection c = sites.unit("portland").connect()) {
      CopyGroupStatus.Applied applied = c.copyGroupStatus("v").applied();
      return applied == null ? new CopyGroupStatus.Applied(0, 0, 0) : applied;
    }
  }

  private static void awaitDurable(RemoteCopySites sites, long sequence) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                applied(sites).durableSequence() == sequence
                    && applied(sites).sequence() == sequence);
  }

  /** Reads the secondary's file: what the checkpoint put on disk. */
  private static void assertPage(RemoteCopySites sites, long offset, int fill) throws Exception {
    byte[] expected = new byte[4096];
    Arrays.fill(expected, (byte) fill);
    ByteBuffer actual = ByteBuffer.allocate(4096);
    try (FileChannel f = FileChannel.open(sites.volumeFile("portland", "v"))) {
      f.read(actual, offset);
    }
    assertArrayEquals(expected, actual.array(), "page at " + offset);
  }
}
