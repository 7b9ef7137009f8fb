package org.roamstore.storage.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.jms.ConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.roamstore.broker.SiteBroker;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.Destinations;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;

/**
 * Storage control units with remote copy over a real broker, for the tests: each site has its own
 * data directory under one root, all talk to one broker (embedded here, or a separate process).
 */
final class RemoteCopySites implements AutoCloseable {
  static final int MIB = 1 << 20;

  /** A SYNC secondary silent for 400 ms is out of sync; a drain may take 30 s. */
  static final RemoteCopySettings FAST =
      RemoteCopySettings.DEFAULTS
          .withSyncTimeout(Duration.ofMillis(400))
          .withDrainTimeout(Duration.ofSeconds(30));

  static {
    // Artemis audits every send at INFO.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.audit", "off");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
  }

  final Path root;
  final int brokerPort;
  final RemoteCopySettings settings;
  private final SiteBroker broker;
  private final ExecutorService executor;
  private final Map<String, StorageControlUnit> units = new LinkedHashMap<>();

  private RemoteCopySites(
      Path root, int brokerPort, SiteBroker broker, RemoteCopySettings settings) {
    this.root = root;
    this.brokerPort = brokerPort;
    this.broker = broker;
    this.settings = settings;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "test-storage-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Sites with a broker embedded in the test JVM. */
  static RemoteCopySites withEmbeddedBroker(Path root, RemoteCopySettings settings)
      throws Exception {
    int port = freePort();
    SiteBroker broker = SiteBroker.start(root.resolve("broker"), "127.0.0.1", port);
    return new RemoteCopySites(root, port, broker, settings);
  }

  /** Sites talking to a broker someone else runs on {@code port}. */
  static RemoteCopySites withBrokerAt(Path root, int port, RemoteCopySettings settings) {
    return new RemoteCopySites(root, port, null, settings);
  }

  static String brokerUrl(int port) {
    // Batches stay ordinary messages (not Artemis "large messages" streamed to files), and a
    // consumer may buffer a few of them.
    return "tcp://127.0.0.1:" + port + "?minLargeMessageSize=4194304&consumerWindowSize=8388608";
  }

  ConnectionFactory connectionFactory() {
    return new ActiveMQConnectionFactory(brokerUrl(brokerPort));
  }

  StorageControlUnit open(String site) {
    return open(site, executor);
  }

  /** A unit whose threads come from {@code threads} (a test may hold some of its tasks back). */
  StorageControlUnit open(String site, Executor threads) {
    StorageControlUnit unit =
        StorageControlUnit.open(
            new StorageControlUnitConfig(site, root.resolve(site), 64L * MIB, null, -1),
            threads,
            new RemoteCopy(connectionFactory(), settings));
    units.put(site, unit);
    return unit;
  }

  StorageControlUnit unit(String site) {
    return units.get(site);
  }

  void close(String site) {
    StorageControlUnit unit = units.remove(site);
    if (unit != null) {
      unit.close();
    }
  }

  /**
   * What the embedded broker did with write data: messages sent to the write data addresses, and
   * references to them put in the sites' subscriptions (one per secondary a message names).
   */
  long[] writeDataRouting() throws Exception {
    long sent = 0;
    long queued = 0;
    for (String address : Destinations.WRITE_DATA_ADDRESSES) {
      var server = broker.server();
      sent += server.getAddressInfo(SimpleString.of(address)).getRoutedMessageCount();
      for (var binding :
          server.getPostOffice().getBindingsForAddress(SimpleString.of(address)).getBindings()) {
        if (binding instanceof org.apache.activemq.artemis.core.postoffice.QueueBinding q) {
          queued += q.getQueue().getMessagesAdded();
        }
      }
    }
    return new long[] {sent, queued};
  }

  static CopyVolumeGroupInfo group(
      String volume, TransferType type, SyncFailurePolicy policy, String primary, String... sites) {
    List<CopyGroupMember> members = new ArrayList<>();
    for (String site : sites) {
      members.add(new CopyGroupMember(new RealVolumeAddress(site, volume), site.equals(primary)));
    }
    return new CopyVolumeGroupInfo(volume, type, 1, members, policy);
  }

  /** How one secondary stands in a primary's status. */
  static CopyGroupStatus.SecondaryStatus secondary(CopyGroupStatus status, String site) {
    return status.secondaries().stream()
        .filter(s -> s.storageSystem().equals(site))
        .findFirst()
        .orElseThrow();
  }

  /** Creates the volume at every member that is open and defines the group there. */
  void create(CopyVolumeGroupInfo group, long sizeBytes) {
    for (CopyGroupMember m : group.members()) {
      StorageControlUnit unit = units.get(m.address().storageSystem());
      if (unit != null) {
        try (StorageConnection c = unit.connect()) {
          c.createVolume(m.address().volumeId(), sizeBytes);
          c.defineCopyGroup(group);
        }
      }
    }
  }

  Path volumeFile(String site, String volume) {
    return root.resolve(site).resolve("volumes").resolve(volume + ".vol");
  }

  String checksum(String site, String volume) throws IOException {
    try (InputStream in = Files.newInputStream(volumeFile(site, volume))) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where two copies differ, in pages, for a failure message; empty if they do not. */
  String differences(String site, String other, String volume) throws IOException {
    byte[] a = Files.readAllBytes(volumeFile(site, volume));
    byte[] b = Files.readAllBytes(volumeFile(other, volume));
    List<String> pages = new ArrayList<>();
    for (int page = 0; page * 4096 < Math.max(a.length, b.length) && pages.size() < 10; page++) {
      int from = page * 4096;
      if (!java.util.Arrays.equals(
          a, from, Math.min(a.length, from + 4096), b, from, Math.min(b.length, from + 4096))) {
        pages.add(Integer.toString(from));
      }
    }
    return pages.isEmpty() ? "" : other + " differs from " + site + " at offsets " + pages;
  }

  /** Runs a command with its output in a file under {@code logDir}; fails unless it exits 0. */
  static String run(Path logDir, String... command) throws Exception {
    Path log = Files.createTempFile(logDir, "command", ".log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(!p.isAlive(), String.join(" ", command) + " did not finish:\n" + text);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + text);
    return text;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    for (String site : new ArrayList<>(units.keySet())) {
      close(site);
    }
    executor.shutdownNow();
    if (broker != null) {
      broker.close();
    }
  }
}
