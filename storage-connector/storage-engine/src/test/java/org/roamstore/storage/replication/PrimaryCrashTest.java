package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.engine.StandaloneStorage;

/**
 * The crash harness: the primary's storage control unit runs in a JVM of its own and is killed with
 * SIGKILL while a real NBD client writes 4 KiB to 256 KiB blocks with a FLUSH every 150 ms; then it
 * restarts. After things settle, every flushed write must be at the primary, all three volume files
 * must be byte-identical, and the primary's status must have said in sync only when that held. Then
 * a planned switch moves the primary, and the copies must still agree.
 *
 * <p>Seeded; {@code -Droamstore.crash.trials=N} runs N trials per transfer type (1 by default; the
 * soak in {@code bench/crash-soak.sh} runs 20 or more).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PrimaryCrashTest {
  private static final long SIZE = 128L << 20;
  private static final long WINDOW = 16L << 20;
  // The crash writer's part of the volume; a new primary writes behind it.
  private static final long CRASH_AREA = 96L << 20;
  private static final RemoteCopySettings SETTINGS =
      RemoteCopySettings.DEFAULTS.withDrainTimeout(Duration.ofSeconds(60));
  private static final String STANDALONE = "org.roamstore.storage.engine.StandaloneStorage";
  // Regions cool several times a second, so the crash finds some cold behind the moving writes.
  private static final List<String> JVM_OPTIONS =
      List.of("-Droamstore.activity.coolMillis=200", "-Droamstore.activity.regionMiB=1");

  // A failed trial keeps its directory (under target/, like every test's temporary files): the
  // processes' logs and the volume files are what tells why.
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path root;

  static Stream<Arguments> trials() {
    int n = Integer.getInteger("roamstore.crash.trials", 1);
    return Stream.of(TransferType.ASYNC, TransferType.SYNC)
        .flatMap(t -> LongStream.rangeClosed(1, n).mapToObj(seed -> Arguments.of(t, seed)));
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("trials")
  void aPrimaryKilledDuringWritesRestartsAndTheCopiesAgreeAgain(TransferType type, long seed)
      throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      sites.open("portland");
      sites.open("sanfrancisco");
      CopyVolumeGroupInfo group =
          RemoteCopySites.group(
              "v",
              type,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland",
              "sanfrancisco");
      sites.create(group, SIZE);
      String[] args = seattleArgs(sites, "v:" + type + ":1:seattle/v*,portland/v,sanfrancisco/v");
      Path log = root.resolve("seattle.log");
      ChildProcess seattle = ChildProcess.start(log, "READY", JVM_OPTIONS, STANDALONE, args);
      try {
        TaggedNbdWriter writer = new TaggedNbdWriter(SIZE, seed, WINDOW);
        writeUntilKilled(writer, seattle, seed);

        seattle = ChildProcess.start(log, "READY", JVM_OPTIONS, STANDALONE, args);
        assertTrue(
            seattle.output().contains("was not stopped cleanly"),
            "the restarted primary found hot regions in its activity log");
        awaitInSync(seattle);
        ChildProcess restarted = seattle;
        assertVerifyFindsNoDifference(
            () -> restarted.command("verify v", Duration.ofSeconds(30), "VERIFYING", "FAILED"),
            () -> restarted.command("status v", Duration.ofSeconds(30), "STATUS", "FAILED"));
        seattle.command("sync v", Duration.ofSeconds(60), "SYNCED", "FAILED");
        seattle.close(); // clean stop: the primary's cache goes to its file
        assertCopiesAgree(sites, "after the restart");
        // SYNC: every acknowledged write, flushed or not (it was in the primary's file and at the
        // secondaries when acknowledged).
        boolean sync = type == TransferType.SYNC;
        List<String> lost = writer.check(sites.volumeFile("seattle", "v"), sync);
        assertTrue(
            lost.isEmpty(),
            () -> (sync ? "acknowledged" : "flushed") + " writes missing at the primary: " + lost);
        assertNothingHot(root.resolve("seattle/activity/v.hot"));

        // A planned switch to portland after the crash: drain, demote, promote.
        seattle = ChildProcess.start(log, "READY", JVM_OPTIONS, STANDALONE, args);
        plannedSwitchToPortland(sites, seattle, type);
        seattle.close();
        assertCopiesAgree(sites, "after the planned switch");
      } finally {
        seattle.close();
      }
    }
  }

  /**
   * Forced takeover: the primary is killed, portland takes over without it (once it has applied
   * what the broker still held of the old stream, as the directory lets a new primary catch up) and
   * writes on; then the old primary comes back, is defined as a secondary (what the directory's
   * site watch does when it answers again), hands over what it may hold that the others lack, and
   * the new primary resyncs it everywhere. Then a planned switch takes the primary back.
   */
  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("trials")
  void afterAForcedTakeoverTheOldPrimaryReturnsAsASecondaryAndIsResyncedFromTheNewOne(
      TransferType type, long seed) throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      sites.open("portland");
      sites.open("sanfrancisco");
      sites.create(
          RemoteCopySites.group(
              "v",
              type,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland",
              "sanfrancisco"),
          SIZE);
      String[] args = seattleArgs(sites, "v:" + type + ":1:seattle/v*,portland/v,sanfrancisco/v");
      Path log = root.resolve("seattle.log");
      ChildProcess seattle = ChildProcess.start(log, "READY", JVM_OPTIONS, STANDALONE, args);
      try {
        TaggedNbdWriter writer = new TaggedNbdWriter(CRASH_AREA, seed, WINDOW);
        writeUntilKilled(writer, seattle, seed);

        awaitCaughtUp(sites.unit("portland"));
        CopyVolumeGroupInfo taken = groupAt(type, "portland", 2);
        try (StorageConnection portland = sites.unit("portland").connect();
            StorageConnection sanfrancisco = sites.unit("sanfrancisco").connect()) {
          sanfrancisco.defineCopyGroup(taken);
          portland.defineCopyGroup(taken);
          writeOutsideTheCrashArea(portland, 2, seed);

          seattle = ChildProcess.start(log, "READY", JVM_OPTIONS, STANDALONE, args);
          String spec = "v:" + type + ":2:seattle/v,portland/v*,sanfrancisco/v";
          String defined = seattle.command("define " + spec, Duration.ofSeconds(60), "DEFINED");
          OutOfSyncRegions handedOver = StandaloneStorage.decode(defined.substring(8).strip());
          assertFalse(handedOver.isEmpty(), "the old primary hands over its hot regions");
          portland.defineCopyGroup(taken, handedOver); // what SiteService.bringUp does
          writeOutsideTheCrashArea(portland, 2, seed + 1);

          awaitInSync(() -> portland.copyGroupStatus("v").toString());
          assertVerifyFindsNoDifference(
              () -> portland.verify("v", VerifyRequest.all()).toString(),
              () -> portland.copyGroupStatus("v").toString());
          portland.synchronizeCache("v", Set.of(), Duration.ofSeconds(60));
          portland.flush("v");
          seattle.command("flush v", Duration.ofSeconds(60), "FLUSHED");
          assertCopiesAgree(sites, "portland", "after the old primary returned");
          List<String> lost =
              writer.check(sites.volumeFile("portland", "v"), type == TransferType.SYNC);
          assertTrue(lost.isEmpty(), () -> "promised writes missing at the new primary: " + lost);

          plannedSwitchBackToSeattle(
              portland, seattle, type, back -> sanfrancisco.defineCopyGroup(back));
        }
        seattle.close();
        assertCopiesAgree(sites, "seattle", "after the planned switch back");
      } finally {
        seattle.close();
      }
    }
  }

  /**
   * SYNC with a secondary paused (SIGSTOP) before the primary's kill: the primary goes on without
   * it once its SYNC timeout passes (MARK_OUT_OF_SYNC), so when the primary dies the paused copy
   * lacks acknowledged writes that the other secondary has. Their data generations must say so (the
   * directory refuses a forced takeover by the stale one unless named explicitly), the takeover
   * goes to the current one, the stale one is resynced whole (as the directory asks), the old
   * primary returns, and then every acknowledged write is at the new primary and all copies are
   * byte-identical.
   */
  @ParameterizedTest(name = "SYNC seed {0}")
  @MethodSource("seeds")
  void aSecondaryPausedBeforeTheCrashIsKnownStaleAndTheTakeoverGoesToTheCurrentOne(long seed)
      throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      sites.open("portland");
      sites.create(groupAt(TransferType.SYNC, "seattle", 1), SIZE); // portland's member only
      String spec = "v:" + TransferType.SYNC + ":1:seattle/v*,portland/v,sanfrancisco/v";
      String[] seattleArgs = withSyncTimeout(seattleArgs(sites, spec), 1000);
      String[] sfArgs = siteArgs(sites, "sanfrancisco", spec);
      Path log = root.resolve("seattle.log");
      ChildProcess sf =
          ChildProcess.start(root.resolve("sanfrancisco.log"), "READY", STANDALONE, sfArgs);
      ChildProcess seattle = ChildProcess.start(log, "READY", JVM_OPTIONS, STANDALONE, seattleArgs);
      try {
        TaggedNbdWriter writer = new TaggedNbdWriter(CRASH_AREA, seed, WINDOW);
        CompletableFuture<Void> writing = startWriting(writer, seattle);
        sf.pause();
        long pausedAt = writer.acknowledged();
        // Past the primary's SYNC timeout (1 s) it goes on without sanfrancisco.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> writer.acknowledged() > pausedAt + 200 && writer.completedFlushes() >= 6);
        Thread.sleep(new Random(seed).nextInt(500));
        seattle.kill();
        writing.get(60, TimeUnit.SECONDS);
        sf.resume();

        awaitCaughtUp(sites.unit("portland"));
        ChildProcess paused = sf;
        CopyGroupStatus.Applied atSf =
            awaitSettled(
                () -> applied(paused.command("status v", Duration.ofSeconds(30), "STATUS")));
        CopyGroupStatus.Applied atPortland;
        try (StorageConnection portland = sites.unit("portland").connect()) {
          atPortland = portland.copyGroupStatus("v").applied();
        }
        String seattleLog = Files.readString(log);
        assertTrue(
            atSf.resyncing() || notToldInTime(seattleLog, "sanfrancisco"),
            () ->
                "the paused copy must know it is out of date (or seattle said it could not tell"
                    + " it): "
                    + atSf);
        // On a loaded machine portland too may miss the primary's 1-s SYNC timeout: then seattle
        // acknowledged writes that neither survivor has. Both must say so, and the takeover below
        // (which the directory refuses unless it is named) may lose them, but never silently:
        // the copies must still end byte-identical.
        boolean noWholeSurvivor = atPortland.resyncing() || notToldInTime(seattleLog, "portland");
        if (noWholeSurvivor) {
          System.out.println(
              "PAUSED-SCENARIO: no survivor whole (seattle went on without portland too): "
                  + atPortland);
        } else {
          assertTrue(
              atPortland.isAheadOf(atSf) && !atSf.isAheadOf(atPortland),
              () -> "portland " + atPortland + " must be ahead of the paused " + atSf);
        }

        // The takeover the directory allows: at portland, sanfrancisco resynced whole.
        CopyVolumeGroupInfo taken = groupAt(TransferType.SYNC, "portland", 2);
        String spec2 = "v:" + TransferType.SYNC + ":2:seattle/v,portland/v*,sanfrancisco/v";
        BitSet whole = new BitSet();
        whole.set(0, (int) (SIZE >> 20));
        try (StorageConnection portland = sites.unit("portland").connect()) {
          sf.command("define " + spec2, Duration.ofSeconds(60), "DEFINED");
          portland.defineCopyGroup(
              taken, OutOfSyncRegions.NONE.with("sanfrancisco", whole, 1 << 20));
          writeOutsideTheCrashArea(portland, 2, seed);

          seattle = ChildProcess.start(log, "READY", JVM_OPTIONS, STANDALONE, seattleArgs);
          String defined = seattle.command("define " + spec2, Duration.ofSeconds(60), "DEFINED");
          portland.defineCopyGroup(taken, StandaloneStorage.decode(defined.substring(8).strip()));

          awaitInSync(() -> portland.copyGroupStatus("v").toString());
          assertVerifyFindsNoDifference(
              () -> portland.verify("v", VerifyRequest.all()).toString(),
              () -> portland.copyGroupStatus("v").toString());
          portland.synchronizeCache("v", Set.of(), Duration.ofSeconds(60));
          portland.flush("v");
          List<String> lost = writer.check(sites.volumeFile("portland", "v"), true);
          assertTrue(
              lost.isEmpty() || noWholeSurvivor,
              () -> "acknowledged writes missing at portland: " + lost);
          seattle.command("flush v", Duration.ofSeconds(60), "FLUSHED");
          sf.command("flush v", Duration.ofSeconds(60), "FLUSHED");
          assertCopiesAgree(sites, "portland", "after the paused secondary was resynced");

          ChildProcess paused2 = sf;
          plannedSwitchBackToSeattle(
              portland,
              seattle,
              TransferType.SYNC,
              back -> {
                String spec3 = "v:" + TransferType.SYNC + ":3:seattle/v*,portland/v,sanfrancisco/v";
                try {
                  paused2.command("define " + spec3, Duration.ofSeconds(60), "DEFINED");
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
        }
        seattle.close();
        sf.close();
        assertCopiesAgree(sites, "seattle", "after the planned switch back");
      } finally {
        seattle.close();
        sf.resume();
        sf.close();
      }
    }
  }

  /**
   * The source of a new member's first copy killed (SIGKILL) in the middle of it while a writer
   * runs, the copy paced so that it is: once the primary restarts, the copy goes on from the
   * out-of-sync map it saved before copying anything. Every flushed write is at the primary, a
   * verify finds no difference, and the three files agree.
   */
  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("trials")
  void aPrimaryKilledDuringANewMembersFirstCopyResumesTheCopy(TransferType type, long seed)
      throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      sites.open("portland");
      sites.open("sanfrancisco");
      sites.create(
          RemoteCopySites.group(
              "v", type, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", "seattle", "portland"),
          SIZE);
      try (StorageConnection sanfrancisco = sites.unit("sanfrancisco").connect()) {
        sanfrancisco.createVolume("v", SIZE);
      }
      String two = "v:" + type + ":1:seattle/v*,portland/v";
      String three = two + ",sanfrancisco/v";
      Path log = root.resolve("seattle.log");
      List<String> paced = new java.util.ArrayList<>(List.of(seattleArgs(sites, two)));
      paced.addAll(List.of("--resync-mib-per-second", "4"));
      // The heap of a server (JvmSizing), not the 256 MiB of the other trials: while a new member
      // lags behind a full-speed writer, its stream may hold up to maxBacklogBytes (64 MiB) of 1
      // MiB
      // batch buffers, humongous in G1's 1 MiB regions of a small heap, and the primary ran out of
      // heap there (once, in CI).
      List<String> jvm = new java.util.ArrayList<>(JVM_OPTIONS);
      jvm.addAll(List.of("-Xmx512m", "-XX:G1HeapRegionSize=8m"));
      ChildProcess seattle =
          ChildProcess.start(log, "READY", jvm, STANDALONE, paced.toArray(String[]::new));
      try {
        TaggedNbdWriter writer = new TaggedNbdWriter(SIZE, seed, WINDOW);
        CompletableFuture<Void> writing = startWriting(writer, seattle);
        Thread.sleep(1500); // regions written before the member joins: the copy has them to send
        // The new member first, the other secondary, the primary last, as the directory does.
        CopyVolumeGroupInfo joined = groupAt(type, "seattle", 1);
        for (String site : List.of("sanfrancisco", "portland")) {
          try (StorageConnection c = sites.unit(site).connect()) {
            c.defineCopyGroup(joined);
          }
        }
        String defined =
            seattle.command("define " + three, Duration.ofSeconds(60), "DEFINED", "FAILED");
        assertTrue(defined.startsWith("DEFINED"), defined);
        Thread.sleep(300 + new Random(seed).nextInt(1000)); // the crash's moment, seeded
        String copying = seattle.command("status v", Duration.ofSeconds(30), "STATUS", "FAILED");
        assertFalse(
            copying.contains("storageSystem=sanfrancisco, state=IN_SYNC"),
            "killed while copying: " + copying);
        seattle.kill();
        writing.get(60, TimeUnit.SECONDS);
        assertTrue(
            writer.flushedAcknowledgements() > 0, "some writes were flushed before the kill");

        seattle = ChildProcess.start(log, "READY", jvm, STANDALONE, seattleArgs(sites, three));
        awaitInSync(seattle);
        ChildProcess restarted = seattle;
        assertVerifyFindsNoDifference(
            () -> restarted.command("verify v", Duration.ofSeconds(30), "VERIFYING", "FAILED"),
            () -> restarted.command("status v", Duration.ofSeconds(30), "STATUS", "FAILED"));
        seattle.command("sync v", Duration.ofSeconds(60), "SYNCED", "FAILED");
        seattle.close();
        assertCopiesAgree(sites, "after the copy resumed");
        boolean sync = type == TransferType.SYNC;
        List<String> lost = writer.check(sites.volumeFile("seattle", "v"), sync);
        assertTrue(
            lost.isEmpty(),
            () -> (sync ? "acknowledged" : "flushed") + " writes missing at the primary: " + lost);
      } finally {
        seattle.close();
      }
    }
  }

  static Stream<Arguments> seeds() {
    int n = Integer.getInteger("roamstore.crash.trials", 1);
    return LongStream.rangeClosed(1, n).mapToObj(Arguments::of);
  }

  private static final java.util.regex.Pattern APPLIED =
      java.util.regex.Pattern.compile(
          "Applied\\[fromEpoch=(\\d+), sequence=(\\d+), durableSequence=(\\d+),"
              + " incarnation=(\\d+), lastWrite=(-?\\d+), resyncing=(true|false)\\]");

  /** The position in a STATUS line of a secondary (the record's text). */
  private static CopyGroupStatus.Applied applied(String status) {
    java.util.regex.Matcher m = APPLIED.matcher(status);
    if (!m.find()) {
      throw new AssertionError("no applied position in " + status);
    }
    return new CopyGroupStatus.Applied(
        Long.parseLong(m.group(1)),
        Long.parseLong(m.group(2)),
        Long.parseLong(m.group(3)),
        Long.parseLong(m.group(4)),
        Long.parseLong(m.group(5)),
        Boolean.parseBoolean(m.group(6)));
  }

  /** Polls a position until it has not moved for a second. */
  private static CopyGroupStatus.Applied awaitSettled(
      java.util.concurrent.Callable<CopyGroupStatus.Applied> position) {
    Object[] last = {null, System.nanoTime()};
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              CopyGroupStatus.Applied now = position.call();
              if (!now.equals(last[0])) {
                last[0] = now;
                last[1] = System.nanoTime();
              }
              return System.nanoTime() - (long) last[1] > TimeUnit.SECONDS.toNanos(1);
            });
    return (CopyGroupStatus.Applied) last[0];
  }

  private static String[] withSyncTimeout(String[] args, long millis) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--sync-timeout-ms", Long.toString(millis)));
    return all.toArray(String[]::new);
  }

  /** A secondary's site in a process of its own. */
  private String[] siteArgs(RemoteCopySites sites, String site, String spec) {
    return new String[] {
      site,
      root.resolve(site).toString(),
      "0",
      "32",
      "--volume",
      "v:" + SIZE,
      "--group",
      spec,
      "--broker",
      RemoteCopySites.brokerUrl(sites.brokerPort)
    };
  }

  /**
   * A planned switch from portland (epoch 2) back to seattle, as a login there would make it:
   * drain, demote portland (its hand-over goes to seattle), define sanfrancisco, promote seattle.
   */
  private static void plannedSwitchBackToSeattle(
      StorageConnection portland,
      ChildProcess seattle,
      TransferType type,
      java.util.function.Consumer<CopyVolumeGroupInfo> atSanfrancisco)
      throws IOException {
    portland.synchronizeCache("v", Set.of(), Duration.ofSeconds(60));
    CopyVolumeGroupInfo back = groupAt(type, "seattle", 3);
    OutOfSyncRegions missed = portland.defineCopyGroup(back, OutOfSyncRegions.NONE);
    atSanfrancisco.accept(back);
    String spec3 = "v:" + type + ":3:seattle/v*,portland/v,sanfrancisco/v";
    String again =
        seattle.command(
            "define " + spec3 + " " + StandaloneStorage.encode(missed),
            Duration.ofSeconds(60),
            "DEFINED",
            "FAILED");
    assertTrue(again.startsWith("DEFINED"), again);
    awaitInSync(seattle);
    seattle.command("sync v", Duration.ofSeconds(60), "SYNCED");
  }

  /** Volume v on the three sites with its primary at {@code primary}, at {@code epoch}. */
  private static CopyVolumeGroupInfo groupAt(TransferType type, String primary, long epoch) {
    return RemoteCopySites.group(
            "v",
            type,
            SyncFailurePolicy.MARK_OUT_OF_SYNC,
            "seattle",
            "seattle",
            "portland",
            "sanfrancisco")
        .withPrimary(primary, epoch);
  }

  private String[] seattleArgs(RemoteCopySites sites, String spec) {
    List<String> args = new java.util.ArrayList<>(List.of(siteArgs(sites, "seattle", spec)));
    args.addAll(List.of("--export", "v"));
    return args.toArray(String[]::new);
  }

  /**
   * Starts the writer against the primary's NBD export (2 minutes at most, a FLUSH every 150 ms)
   * and returns once three FLUSHes have completed.
   */
  private static CompletableFuture<Void> startWriting(TaggedNbdWriter writer, ChildProcess primary)
      throws IOException {
    int port = nbdPort(primary);
    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                writer.run(port, "v", 120_000, 150);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    // A writer that failed (e.g. refused by the export) ends the wait at once, with its own cause.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> writer.completedFlushes() >= 3 || writing.isDone());
    if (writing.isCompletedExceptionally()) {
      writing.join();
    }
    return writing;
  }

  /** Runs the writer against the primary until it is killed at a seeded moment. */
  /**
   * SYNC with both secondaries away past the primary's SYNC timeout (one paused with SIGSTOP, the
   * other's storage control unit closed) before the primary's kill: the primary acknowledged writes
   * that neither has. Each must have been told it is out of date before those writes were
   * acknowledged, so that no survivor looks whole and the directory refuses a takeover unless it is
   * named. Without the notices both showed the last write they got as a complete copy, and a
   * takeover lost acknowledged writes silently (what the paused scenario hit on a loaded machine).
   */
  @org.junit.jupiter.api.Test
  void whenThePrimaryWentOnWithoutEverySecondaryNoSurvivorLooksWhole() throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      sites.open("portland");
      sites.create(groupAt(TransferType.SYNC, "seattle", 1), SIZE);
      String spec = "v:" + TransferType.SYNC + ":1:seattle/v*,portland/v,sanfrancisco/v";
      String[] seattleArgs = withSyncTimeout(seattleArgs(sites, spec), 1000);
      Path log = root.resolve("seattle.log");
      ChildProcess sf =
          ChildProcess.start(
              root.resolve("sanfrancisco.log"),
              "READY",
              STANDALONE,
              siteArgs(sites, "sanfrancisco", spec));
      ChildProcess seattle = ChildProcess.start(log, "READY", JVM_OPTIONS, STANDALONE, seattleArgs);
      try {
        TaggedNbdWriter writer = new TaggedNbdWriter(CRASH_AREA, 1, WINDOW);
        CompletableFuture<Void> writing = startWriting(writer, seattle);
        await().atMost(Duration.ofSeconds(60)).until(() -> writer.acknowledged() > 50);
        sf.pause();
        sites.close("portland");
        long awayAt = writer.acknowledged();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> writer.acknowledged() > awayAt + 200 && writer.completedFlushes() >= 6);
        seattle.kill();
        writing.get(60, TimeUnit.SECONDS);
        sf.resume();
        sites.open("portland");

        awaitCaughtUp(sites.unit("portland"));
        CopyGroupStatus.Applied atSf =
            awaitSettled(() -> applied(sf.command("status v", Duration.ofSeconds(30), "STATUS")));
        CopyGroupStatus.Applied atPortland;
        try (StorageConnection portland = sites.unit("portland").connect()) {
          atPortland = portland.copyGroupStatus("v").applied();
        }
        String seattleLog = Files.readString(log);
        assertTrue(
            atSf.resyncing() || notToldInTime(seattleLog, "sanfrancisco"),
            () -> "sanfrancisco must know it is out of date: " + atSf);
        assertTrue(
            atPortland.resyncing() || notToldInTime(seattleLog, "portland"),
            () -> "portland must know it is out of date: " + atPortland);
      } finally {
        seattle.close();
        sf.resume();
        sf.close();
      }
    }
  }

  /** Whether the primary logged that the broker did not take a secondary's out-of-date notice. */
  private static boolean notToldInTime(String primaryLog, String secondary) {
    return primaryLog
        .lines()
        .anyMatch(l -> l.contains("did not take the notice that") && l.contains(secondary));
  }

  private static void writeUntilKilled(TaggedNbdWriter writer, ChildProcess primary, long seed)
      throws Exception {
    CompletableFuture<Void> writing = startWriting(writer, primary);
    Thread.sleep(new Random(seed).nextInt(1500)); // the crash's moment, seeded
    primary.kill();
    writing.get(60, TimeUnit.SECONDS);
    assertTrue(writer.flushedAcknowledgements() > 0, "some writes were flushed before the kill");
  }

  /** Waits until a secondary has applied all the broker still holds for it (nothing moves). */
  private static void awaitCaughtUp(org.roamstore.storage.engine.StorageControlUnit unit) {
    long[] last = {-1, System.nanoTime()};
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              try (StorageConnection c = unit.connect()) {
                CopyGroupStatus.Applied applied = c.copyGroupStatus("v").applied();
                long now = applied == null ? 0 : applied.durableSequence();
                if (now != last[0]) {
                  last[0] = now;
                  last[1] = System.nanoTime();
                }
                return System.nanoTime() - last[1] > TimeUnit.SECONDS.toNanos(1);
              }
            });
  }

  /** Writes at the new primary in the last part of the volume, which the crash writer leaves. */
  private static void writeOutsideTheCrashArea(StorageConnection primary, long epoch, long seed) {
    Random random = new Random(seed * 13);
    for (int i = 0; i < 200; i++) {
      byte[] data = new byte[4096 * (1 + random.nextInt(4))];
      random.nextBytes(data);
      long offset = CRASH_AREA + random.nextLong((SIZE - CRASH_AREA - data.length) / 4096) * 4096;
      primary.write("v", epoch, offset, data, false);
    }
  }

  private static void plannedSwitchToPortland(
      RemoteCopySites sites, ChildProcess seattle, TransferType type) throws IOException {
    String next = "v:" + type + ":2:seattle/v,portland/v*,sanfrancisco/v";
    seattle.command("sync v", Duration.ofSeconds(60), "SYNCED", "FAILED");
    String defined = seattle.command("define " + next, Duration.ofSeconds(60), "DEFINED", "FAILED");
    assertTrue(defined.startsWith("DEFINED"), defined);
    OutOfSyncRegions handedOver = StandaloneStorage.decode(defined.substring(8).strip());
    assertEquals(OutOfSyncRegions.NONE, handedOver, "a drained primary hands nothing over");
    CopyVolumeGroupInfo group2 = groupAt(type, "portland", 2);
    try (StorageConnection portland = sites.unit("portland").connect();
        StorageConnection sanfrancisco = sites.unit("sanfrancisco").connect()) {
      sanfrancisco.defineCopyGroup(group2);
      portland.defineCopyGroup(group2, handedOver);
      Random random = new Random(7);
      for (int i = 0; i < 300; i++) {
        byte[] data = new byte[4096];
        random.nextBytes(data);
        portland.write("v", 2, random.nextLong(SIZE / 4096) * 4096, data, false);
      }
      portland.synchronizeCache("v", java.util.Set.of(), Duration.ofSeconds(60));
      portland.flush("v");
    }
  }

  /** Polls the primary's status until every secondary is in sync with nothing pending. */
  private static void awaitInSync(ChildProcess primary) {
    awaitInSync(() -> primary.command("status v", Duration.ofSeconds(30), "STATUS", "FAILED"));
  }

  private static void awaitInSync(java.util.concurrent.Callable<String> status) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                status
                        .call()
                        .split("state=" + CopyGroupStatus.State.IN_SYNC + ", lagWrites=0,", -1)
                        .length
                    == 3);
  }

  /**
   * Runs an online verify at the primary (while it runs, the copies can still be written) and waits
   * for both secondaries' results: no difference, every byte compared.
   */
  private static void assertVerifyFindsNoDifference(
      java.util.concurrent.Callable<String> start, java.util.concurrent.Callable<String> status)
      throws Exception {
    String started = start.call();
    assertEquals(3, started.split("outcome=RUNNING", -1).length, started);
    String done =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(status, s -> !s.contains("outcome=RUNNING"));
    assertEquals(
        3,
        done.split("outcome=" + VerifyStatus.Outcome.NO_DIFFERENCE + ", ", -1).length,
        () -> "the verify after the crash found differences: " + done);
  }

  private static void assertCopiesAgree(RemoteCopySites sites, String when) throws IOException {
    assertCopiesAgree(sites, "seattle", when);
  }

  private static void assertCopiesAgree(RemoteCopySites sites, String primary, String when)
      throws IOException {
    String expected = sites.checksum(primary, "v");
    for (String other : List.of("seattle", "portland", "sanfrancisco")) {
      assertEquals(
          expected,
          sites.checksum(other, "v"),
          () -> when + ": " + differences(sites, primary, other));
    }
  }

  private static String differences(RemoteCopySites sites, String primary, String other) {
    try {
      return sites.differences(primary, other, "v");
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static void assertNothingHot(Path activityLog) throws IOException {
    try (FileChannel file = FileChannel.open(activityLog, StandardOpenOption.READ)) {
      ByteBuffer all = ByteBuffer.allocate((int) file.size());
      file.read(all, 0);
      all.flip().position(8);
      while (all.hasRemaining()) {
        assertEquals(0, all.get(), "a clean stop leaves no hot region in " + activityLog);
      }
    }
    assertTrue(Files.exists(activityLog));
  }

  private static int nbdPort(ChildProcess child) throws IOException {
    String ready = child.lastLine("READY");
    return Integer.parseInt(ready.substring(ready.lastIndexOf(':') + 1).strip());
  }
}
