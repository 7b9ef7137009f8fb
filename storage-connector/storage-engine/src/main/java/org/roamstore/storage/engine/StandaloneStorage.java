package org.roamstore.storage.engine;

import jakarta.jms.ConnectionFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VolumeInfo;
import org.roamstore.storage.replication.NoRemoteCopy;
import org.roamstore.storage.replication.RemoteCopy;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * Runs one storage control unit outside any container, for benchmarks and manual tests.
 *
 * <pre>
 * StandaloneStorage STORAGE_SYSTEM DATA_DIR NBD_PORT CACHE_MIB [--host ADDR]
 *                   [--volume NAME:SIZE]... [--export EXPORT[:VOLUME]]...
 *                   [--broker URL [--sync-timeout-ms N] [--resync-mib-per-second N]]
 *                   [--group ID:SYNC|ASYNC:EPOCH:MEMBERS]...
 *                   [--nbd-tls off|optional|required --nbd-tls-dir DIR]
 * </pre>
 *
 * {@code --broker} turns remote copy on over the broker at URL (the Jakarta Messaging client on the
 * class path, Artemis's by default, or the class named by {@code -Droamstore.jms.factory}, must
 * have a constructor taking the URL); {@code --resync-mib-per-second} paces every resync, a new
 * member's first copy included (0, the default: no limit). {@code --group} defines a copy group at
 * its member here, e.g. {@code v1:ASYNC:1:seattle/v1*,portland/v1} ({@code *} marks the primary);
 * it is kept unless the stored epoch is newer.
 *
 * <p>A {@code --volume} that does not exist is created (SIZE like 1073741824, 512M, 1G) and, if it
 * has no copy group yet, gets a one-member group of the same name with this unit as primary at
 * epoch 1. {@code --export} registers an NBD export name for a volume (by default the volume of the
 * same name) at its current epoch. {@code --nbd-tls} serves NBD over TLS with the certificates in
 * {@code --nbd-tls-dir} (see {@link org.roamstore.storage.nbd.NbdTls}). Prints {@code READY
 * nbd://host:port} ({@code nbds://} with TLS) once serving; stops cleanly on SIGTERM or Ctrl-C.
 *
 * <p>Commands on standard input, one per line, each answered by one line: {@code sync VOLUME
 * [SECONDARY,...]} (synchronize cache, {@code SYNCED}), {@code status VOLUME} ({@code STATUS}),
 * {@code flush VOLUME} ({@code FLUSHED}), {@code define ID:SYNC|ASYNC:EPOCH:MEMBERS [REGIONS]}
 * (defines the group here as the directory would, with what another member handed over; answers
 * {@code DEFINED} and what this unit hands over); {@code FAILED reason} when refused. The crash
 * tests drive a killed and restarted unit with them.
 */
public final class StandaloneStorage {
  private StandaloneStorage() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 4) {
      usage("missing arguments");
    }
    String host = null;
    List<String[]> volumes = new ArrayList<>();
    List<String[]> exports = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    String broker = null;
    long syncTimeoutMillis = RemoteCopySettings.DEFAULTS.syncTimeout().toMillis();
    long resyncMibPerSecond = 0;
    NbdTlsMode tls = NbdTlsMode.OFF;
    Path tlsDirectory = null;
    for (int i = 4; i < args.length; i++) {
      String option = args[i];
      if (i + 1 >= args.length) {
        usage(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--host" -> host = value;
        case "--volume" -> volumes.add(value.split(":", 2));
        case "--export" -> exports.add(value.split(":", 2));
        case "--broker" -> broker = value;
        case "--group" -> groups.add(value);
        case "--sync-timeout-ms" -> syncTimeoutMillis = Long.parseLong(value);
        case "--resync-mib-per-second" -> resyncMibPerSecond = Long.parseLong(value);
        case "--nbd-tls" -> {
          tls = NbdTlsMode.parse(value);
          if (tls == null) {
            usage("--nbd-tls: off, optional or required");
          }
        }
        case "--nbd-tls-dir" -> tlsDirectory = Path.of(value);
        default -> usage("unknown option " + option);
      }
    }
    StorageControlUnitConfig config;
    try {
      config =
          new StorageControlUnitConfig(
              args[0],
              Path.of(args[1]),
              Long.parseLong(args[3]) << 20,
              host,
              Integer.parseInt(args[2]),
              tls,
              tlsDirectory);
    } catch (NumberFormatException | StorageException e) {
      usage(e.getMessage());
      return;
    }

    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "roamstore-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    WriteDataSender sender =
        broker == null
            ? new NoRemoteCopy()
            : new RemoteCopy(
                connectionFactory(broker),
                RemoteCopySettings.DEFAULTS
                    .withSyncTimeout(Duration.ofMillis(syncTimeoutMillis))
                    .withResyncRate(resyncMibPerSecond << 20));
    StorageControlUnit unit = StorageControlUnit.open(config, executor, sender);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    unit.close();
                    executor.shutdown();
                  } finally {
                    stopped.countDown();
                  }
                },
                "roamstore-shutdown"));
    try (StorageConnection storage = unit.connect()) {
      for (String g : groups) {
        prepareVolume(storage, volumes, g.split(":", 4).length == 4 ? g : null);
      }
      for (String g : groups) {
        defineGroup(storage, g);
      }
      for (String[] v : volumes) {
        prepareVolume(storage, v);
      }
      for (String[] e : exports) {
        String volumeId = e.length > 1 ? e[1] : e[0];
        VolumeInfo volume =
            storage
                .volume(volumeId)
                .orElseThrow(() -> new IllegalArgumentException("no volume " + volumeId));
        long epoch = volume.copyGroup().map(CopyVolumeGroupInfo::epoch).orElse(0L);
        storage.registerExport(e[0], volumeId, epoch);
      }
    } catch (RuntimeException e) {
      System.err.println("cannot prepare volumes: " + e.getMessage());
      System.exit(1);
    }
    System.out.println(
        "READY "
            + (tls.offered() ? "nbds://" : "nbd://")
            + config.nbdHost()
            + ":"
            + unit.nbdPort());
    System.out.flush();
    Thread commands = new Thread(() -> readCommands(unit), "roamstore-commands");
    commands.setDaemon(true);
    commands.start();
    stopped.await();
  }

  /** Creates the volume a --group names here before the group is defined on it. */
  private static void prepareVolume(
      StorageConnection storage, List<String[]> volumes, String group) {
    if (group == null) {
      return;
    }
    for (String member : group.split(":", 4)[3].split(",")) {
      String address = member.endsWith("*") ? member.substring(0, member.length() - 1) : member;
      RealVolumeAddress a = RealVolumeAddress.parse(address);
      if (!a.storageSystem().equals(storage.storageSystem())) {
        continue;
      }
      for (String[] v : volumes) {
        if (v.length == 2 && v[0].equals(a.volumeId()) && storage.volume(v[0]).isEmpty()) {
          storage.createVolume(v[0], parseSize(v[1]));
        }
      }
    }
  }

  private static void prepareVolume(StorageConnection storage, String[] spec) {
    if (spec.length != 2) {
      throw new IllegalArgumentException("--volume takes NAME:SIZE");
    }
    String id = spec[0];
    VolumeInfo volume =
        storage.volume(id).orElseGet(() -> storage.createVolume(id, parseSize(spec[1])));
    if (volume.copyGroup().isEmpty()) {
      storage.defineCopyGroup(
          new CopyVolumeGroupInfo(
              id, TransferType.SYNC, 1, List.of(new CopyGroupMember(volume.address(), true))));
    }
  }

  private static void readCommands(StorageControlUnit unit) {
    java.io.BufferedReader in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null; ) {
        String[] words = line.strip().split("\\s+");
        if (words.length < 2) {
          continue;
        }
        try (StorageConnection c = unit.connect()) {
          switch (words[0]) {
            case "sync" -> {
              long start = System.nanoTime();
              java.util.Set<String> secondaries =
                  words.length > 2 ? java.util.Set.of(words[2].split(",")) : java.util.Set.of();
              var done = c.synchronizeCache(words[1], secondaries, Duration.ofHours(1));
              System.out.println(
                  "SYNCED "
                      + words[1]
                      + " "
                      + done.bytes()
                      + " "
                      + (System.nanoTime() - start) / 1_000_000);
            }
            case "status" -> System.out.println("STATUS " + c.copyGroupStatus(words[1]));
            case "verify" -> {
              // verify VOLUME [MIB_PER_SECOND]: every secondary in sync, repairing differences
              int rate = words.length > 2 ? Integer.parseInt(words[2]) : 0;
              var request = new org.roamstore.storage.api.VerifyRequest(Set.of(), rate, true);
              System.out.println("VERIFYING " + c.verify(words[1], request));
            }
            case "flush" -> {
              c.flush(words[1]);
              System.out.println("FLUSHED " + words[1]);
            }
            case "define" -> System.out.println("DEFINED " + encode(define(c, words)));
            default -> System.out.println("FAILED unknown command " + words[0]);
          }
        } catch (RuntimeException e) {
          System.out.println("FAILED " + e.getMessage());
        }
        System.out.flush();
      }
    } catch (java.io.IOException e) {
      // no more commands
    }
  }

  /**
   * {@code define SPEC [REGIONS]}: defines the group at its member here, as the directory would,
   * with what another member handed over ({@code REGIONS} as {@link #encode} writes them).
   */
  private static OutOfSyncRegions define(StorageConnection c, String[] words) {
    CopyVolumeGroupInfo group = parseGroup(words[1]);
    return c.defineCopyGroup(group, words.length > 2 ? decode(words[2]) : OutOfSyncRegions.NONE);
  }

  /** {@code regionBytes;system=base64bits;...}, or {@code none}. */
  public static String encode(OutOfSyncRegions regions) {
    if (regions.isEmpty()) {
      return "none";
    }
    StringBuilder text = new StringBuilder(Integer.toString(regions.regionBytes()));
    for (String system : regions.secondaries()) {
      text.append(';')
          .append(system)
          .append('=')
          .append(Base64.getEncoder().encodeToString(regions.regionsOf(system).toByteArray()));
    }
    return text.toString();
  }

  public static OutOfSyncRegions decode(String text) {
    if (text.equals("none")) {
      return OutOfSyncRegions.NONE;
    }
    String[] parts = text.split(";");
    Map<String, BitSet> bits = new TreeMap<>();
    for (int i = 1; i < parts.length; i++) {
      String[] entry = parts[i].split("=", 2);
      bits.put(entry[0], BitSet.valueOf(Base64.getDecoder().decode(entry[1])));
    }
    return new OutOfSyncRegions(Integer.parseInt(parts[0]), bits);
  }

  /** Defines {@code ID:SYNC|ASYNC:EPOCH:storage/volume[*],...} unless a newer epoch is stored. */
  static void defineGroup(StorageConnection storage, String spec) {
    CopyVolumeGroupInfo group = parseGroup(spec);
    CopyGroupMember here =
        group
            .memberAt(storage.storageSystem())
            .orElseThrow(
                () -> new IllegalArgumentException(storage.storageSystem() + " is not in " + spec));
    long stored =
        storage
            .volume(here.address().volumeId())
            .flatMap(VolumeInfo::copyGroup)
            .map(CopyVolumeGroupInfo::epoch)
            .orElse(0L);
    if (stored <= group.epoch()) {
      storage.defineCopyGroup(group);
    }
  }

  static CopyVolumeGroupInfo parseGroup(String spec) {
    String[] parts = spec.split(":", 4);
    if (parts.length != 4) {
      throw new IllegalArgumentException("--group takes ID:SYNC|ASYNC:EPOCH:MEMBERS, got " + spec);
    }
    List<CopyGroupMember> members = new ArrayList<>();
    for (String m : parts[3].split(",")) {
      boolean primary = m.endsWith("*");
      members.add(
          new CopyGroupMember(
              RealVolumeAddress.parse(primary ? m.substring(0, m.length() - 1) : m), primary));
    }
    return new CopyVolumeGroupInfo(
        parts[0], TransferType.valueOf(parts[1]), Long.parseLong(parts[2]), members);
  }

  /** A connection factory of the Jakarta Messaging client on the class path, for a broker URL. */
  static ConnectionFactory connectionFactory(String url) {
    String type =
        System.getProperty(
            "roamstore.jms.factory",
            "org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory");
    try {
      return (ConnectionFactory) Class.forName(type).getConstructor(String.class).newInstance(url);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalArgumentException(
          "no Jakarta Messaging client " + type + " on the class path for " + url + ": " + e, e);
    }
  }

  static long parseSize(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
    long unit = 1;
    char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
    switch (last) {
      case 'K' -> unit = 1L << 10;
      case 'M' -> unit = 1L << 20;
      case 'G' -> unit = 1L << 30;
      case 'T' -> unit = 1L << 40;
      default -> {}
    }
    if (unit != 1) {
      s = s.substring(0, s.length() - 1);
    }
    return Math.multiplyExact(Long.parseLong(s), unit);
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: StandaloneStorage STORAGE_SYSTEM DATA_DIR NBD_PORT CACHE_MIB [--host ADDR]"
            + " [--volume NAME:SIZE]... [--export EXPORT[:VOLUME]]..."
            + " [--broker URL [--sync-timeout-ms N]] [--group ID:SYNC|ASYNC:EPOCH:MEMBERS]...");
    System.exit(2);
  }
}
