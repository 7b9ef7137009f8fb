package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
      defineSecondary(sites);
      Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageProducer producer = writeDataTo(sites, session, "portland");
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

  /**
   * The primary's out-of-date notice held back behind a gap (batches a broker restart lost, which a
   * dead primary cannot send again) still tells the copy at once that it may lack writes.
   */
  @Test
  void aNoticeHeldBehindAGapSaysAtOnceThatTheCopyIsOutOfDate() throws Exception {
    try (RemoteCopySites sites =
            RemoteCopySites.withEmbeddedBroker(root, RemoteCopySettings.DEFAULTS);
        Connection jms = sites.connectionFactory().createConnection()) {
      sites.open("portland");
      defineSecondary(sites);
      Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageProducer producer = writeDataTo(sites, session, "portland");
      producer.send(batch(session, EPOCH_2, 1, page(0, 0x11)));
      awaitDurable(sites, 1);
      assertFalse(applied(sites).resyncing());

      BytesMessage notice = session.createBytesMessage();
      new BatchFormat.Header("g", EPOCH_2, "seattle", 3, 3, true, 7, true)
          .writeTo(notice, "portland");
      ByteBuffer marker = ByteBuffer.allocate(BatchFormat.ENTRY_HEADER_BYTES);
      BatchFormat.putEntry(marker, 0, 0, null);
      notice.writeBytes(marker.array(), 0, marker.position());
      producer.send(notice); // 2 is missing
      await().atMost(Duration.ofSeconds(10)).until(() -> applied(sites).resyncing());
      assertEquals(1, applied(sites).sequence(), "nothing after the gap is applied");
    }
  }

  /**
   * A checkpoint's force runs beside the receive loop: batches go on being applied while it runs,
   * and when it ends only what was applied before it began is durable.
   */
  @Test
  void batchesAreAppliedWhileACheckpointRunsAndOnlyThoseBeforeItBecomeDurable() throws Exception {
    // No periodic checkpoint within the test: only those the batches ask for.
    RemoteCopySettings settings =
        RemoteCopySettings.DEFAULTS.withCheckpointInterval(Duration.ofHours(1));
    try (HeldTask threads = new HeldTask();
        RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, settings);
        Connection jms = sites.connectionFactory().createConnection()) {
      sites.open("portland", threads);
      defineSecondary(sites);
      Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageProducer producer = writeDataTo(sites, session, "portland");

      threads.holdNext();
      producer.send(batch(session, EPOCH_2, true, 1, page(0, 0x11)));
      assertTrue(
          threads.awaitHeld().getClass().getName().endsWith("Checkpoint"),
          "the task held is the checkpoint batch 1 asked for");
      producer.send(batch(session, EPOCH_2, false, 2, page(4096, 0x22)));
      await().atMost(Duration.ofSeconds(10)).until(() -> applied(sites).sequence() == 2);
      assertEquals(0, applied(sites).durableSequence(), "nothing is durable before the force");

      threads.release();
      await().atMost(Duration.ofSeconds(10)).until(() -> applied(sites).durableSequence() == 1);
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(3))
          .until(() -> applied(sites).durableSequence() == 1 && applied(sites).sequence() == 2);

      producer.send(batch(session, EPOCH_2, true, 3, page(8192, 0x33)));
      awaitDurable(sites, 3);
      assertPage(sites, 0, 0x11);
      assertPage(sites, 4096, 0x22);
      assertPage(sites, 8192, 0x33);
    }
  }

  private static void defineSecondary(RemoteCopySites sites) {
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
  }

  /**
   * Runs each task on a thread of its own; the next checkpoint after {@link #holdNext} waits (only
   * a checkpoint: the receive process also starts its SYNC lane on this executor, whenever it
   * connects).
   */
  static final class HeldTask implements Executor, AutoCloseable {
    private final ExecutorService pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "held-task-test");
              t.setDaemon(true);
              return t;
            });
    private final AtomicBoolean holdNext = new AtomicBoolean();
    private final CountDownLatch released = new CountDownLatch(1);
    private final CompletableFuture<Runnable> held = new CompletableFuture<>();

    @Override
    public void execute(Runnable task) {
      if (!task.getClass().getName().endsWith("Checkpoint")
          || !holdNext.compareAndSet(true, false)) {
        pool.execute(task);
        return;
      }
      held.complete(task);
      pool.execute(
          () -> {
            try {
              released.await();
            } catch (InterruptedException e) {
              return;
            }
            task.run();
          });
    }

    void holdNext() {
      holdNext.set(true);
    }

    Runnable awaitHeld() throws Exception {
      return held.get(10, TimeUnit.SECONDS);
    }

    void release() {
      released.countDown();
    }

    @Override
    public void close() {
      release();
      pool.shutdownNow();
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
    return batch(session, stream, false, first, writes);
  }

  /** {@code checkpoint}: the batch asks to be made durable at once, as a FLUSH's marker does. */
  @SafeVarargs
  private static BytesMessage batch(
      Session session, StreamKey stream, boolean checkpoint, long first, ByteBuffer[]... writes)
      throws JMSException {
    ByteBuffer body = ByteBuffer.allocate(writes.length * (4096 + BatchFormat.ENTRY_HEADER_BYTES));
    for (ByteBuffer[] w : writes) {
      BatchFormat.putEntry(body, w[0].getLong(0), w[1].remaining(), w[1]);
    }
    BytesMessage message = session.createBytesMessage();
    new BatchFormat.Header("g", stream, "seattle", first, first + writes.length - 1, checkpoint)
        .writeTo(message, "portland");
    message.writeBytes(body.array(), 0, body.position());
    return message;
  }

  /** A producer of write data for {@code site}, whose subscription exists from now on. */
  private static MessageProducer writeDataTo(RemoteCopySites sites, Session session, String site)
      throws JMSException {
    new DurableSubscriptions(sites.connectionFactory(), Queues.writeData()).ensure(site);
    return session.createProducer(session.createTopic(Queues.writeData()));
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
