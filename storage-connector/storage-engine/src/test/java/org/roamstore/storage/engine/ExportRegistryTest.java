package org.roamstore.storage.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.TransferType;

/** Export names through the control unit: many at once, revoked, compacted, restarted. */
class ExportRegistryTest {
  @TempDir Path dir;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<StorageControlUnit> units = new ArrayList<>();

  @AfterEach
  void tearDown() {
    units.forEach(StorageControlUnit::close);
    executor.shutdownNow();
  }

  private StorageControlUnit open() {
    StorageControlUnit unit =
        StorageControlUnit.open(
            new StorageControlUnitConfig("seattle", dir, 1 << 20, null, -1), executor);
    units.add(unit);
    return unit;
  }

  private static StorageConnection servedVolume(StorageControlUnit unit) {
    StorageConnection c = unit.connect();
    c.createVolume("v1", 1 << 20);
    c.defineCopyGroup(StorageControlUnitTest.group("v1", 1, true, TransferType.ASYNC));
    return c;
  }

  private static boolean exists(StorageConnection c, String name) {
    try {
      c.revokeExport(name);
      return true;
    } catch (StorageException e) {
      assertEquals(Reason.UNKNOWN_EXPORT, e.reason(), e.getMessage());
      return false;
    }
  }

  @Test
  void concurrentRegistrationsAndRevocationsAllSurviveARestartOfACompactedLog() throws Exception {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit);
    int threads = 8;
    int each = 400; // 3,200 records: several compactions happen on the way
    List<Future<?>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      work.add(
          executor.submit(
              () -> {
                try (StorageConnection mine = unit.connect()) {
                  for (int i = 0; i < each; i++) {
                    mine.registerExport("tok-" + thread + "-" + i, "v1", 1);
                    if (i % 3 == 0) {
                      mine.revokeExport("tok-" + thread + "-" + i);
                    }
                  }
                }
              }));
    }
    for (Future<?> f : work) {
      f.get();
    }
    unit.close();

    StorageConnection again = servedVolumeAfterRestart();
    int live = 0;
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < each; i++) {
        boolean expected = i % 3 != 0;
        assertEquals(expected, exists(again, "tok-" + t + "-" + i), "tok-" + t + "-" + i);
        live += expected ? 1 : 0;
      }
    }
    assertTrue(live > 2000, "most names were kept: " + live);
  }

  @Test
  void theLogIsRewrittenWithOnlyTheLiveNamesAtStart() throws Exception {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit);
    for (int i = 0; i < 50; i++) {
      c.registerExport("tok-" + i, "v1", 1);
      c.revokeExport("tok-" + i);
    }
    c.registerExport("keep", "v1", 1);
    unit.close();
    assertEquals(101, Files.readAllLines(dir.resolve("exports.log")).size());

    open();
    assertEquals(
        List.of("+k " + ExportRegistry.keyOf("keep") + " v1 1"),
        Files.readAllLines(dir.resolve("exports.log")),
        "a restart compacts the log to the live names");
  }

  @Test
  void aRecordCutShortByACrashIsIgnoredAndTheRestKept() throws Exception {
    StorageControlUnit unit = open();
    servedVolume(unit).registerExport("whole", "v1", 1);
    unit.close();
    Files.writeString(
        dir.resolve("exports.log"), "+ cut v1", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    StorageConnection again = servedVolumeAfterRestart();
    assertTrue(exists(again, "whole"));
    assertTrue(!exists(again, "cut"), "the incomplete record binds nothing");
  }

  @Test
  void aRefusedRegistrationWritesNothing() throws Exception {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit);
    assertThrows(StorageException.class, () -> c.registerExport("stale", "v1", 7));
    assertThrows(StorageException.class, () -> c.registerExport("bad name", "v1", 1));
    StorageException late =
        assertThrows(
            StorageException.class,
            () -> c.registerExport("late", "v1", 1, Instant.now().minusSeconds(1)));
    assertEquals(Reason.INVALID_ARGUMENT, late.reason());
    unit.close();
    assertEquals(List.of(), Files.readAllLines(dir.resolve("exports.log")));
  }

  @Test
  void aNewEpochDropsOnlyThatVolumesOlderNamesAndTheDropSurvivesARestart() throws Exception {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit);
    c.createVolume("v2", 1 << 20);
    c.defineCopyGroup(StorageControlUnitTest.group("v2", 1, true, TransferType.ASYNC));
    for (int i = 0; i < 3; i++) {
      c.registerExport("old-" + i, "v1", 1);
    }
    c.registerExport("other", "v2", 1);

    c.defineCopyGroup(StorageControlUnitTest.group("v1", 2, true, TransferType.ASYNC));
    c.registerExport("new", "v1", 2);
    unit.close();

    StorageConnection again = servedVolumeAfterRestart();
    for (int i = 0; i < 3; i++) {
      assertTrue(!exists(again, "old-" + i), "the switch dropped old-" + i);
    }
    assertTrue(exists(again, "other"), "another volume's name stays");
    assertTrue(exists(again, "new"), "the new epoch's name stays");
  }

  @Test
  void expiredNamesAreForgottenAtTheNextRegistrationAndSkippedAtARestart() throws Exception {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit);
    Instant soon = Instant.now().plusMillis(300);
    Instant later = Instant.now().plus(Duration.ofHours(12));
    c.registerExport("short", "v1", 1, soon);
    c.registerExport("long", "v1", 1, later);
    c.registerExport("forever", "v1", 1);
    assertNotNull(unit.export("short"));
    while (!Instant.now().isAfter(soon)) {
      Thread.sleep(20);
    }
    assertNull(unit.export("short"), "no connection opens with an expired name");
    c.registerExport("next", "v1", 1, later);
    assertFalse(exists(c, "short"), "forgotten by the next registration");
    assertNotNull(unit.export("long"));
    assertNotNull(unit.export("forever"));
    unit.close();

    open();
    assertEquals(
        Set.of(
            "+k " + ExportRegistry.keyOf("long") + " v1 1 " + later.toEpochMilli(),
            "+k " + ExportRegistry.keyOf("forever") + " v1 1",
            "+k " + ExportRegistry.keyOf("next") + " v1 1 " + later.toEpochMilli()),
        Set.copyOf(Files.readAllLines(dir.resolve("exports.log"))),
        "a restart keeps what has not expired, with its expiry");
  }

  @Test
  void aNameThatExpiredWhileTheUnitWasDownIsGoneAfterTheRestart() throws Exception {
    StorageControlUnit unit = open();
    Instant soon = Instant.now().plusMillis(200);
    servedVolume(unit).registerExport("short", "v1", 1, soon);
    unit.close();
    while (!Instant.now().isAfter(soon)) {
      Thread.sleep(20);
    }
    StorageControlUnit again = open();
    assertNull(again.export("short"));
    assertEquals(List.of(), Files.readAllLines(dir.resolve("exports.log")));
  }

  @Test
  void theLogHoldsNoNameInClearAndALogOfNamesInClearIsRewrittenAsKeys() throws Exception {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit);
    c.registerExport("secret-token-1", "v1", 1);
    c.registerExport("secret-token-2", "v1", 1);
    c.revokeExport("secret-token-2");
    unit.close();
    String log = Files.readString(dir.resolve("exports.log"));
    assertFalse(log.contains("secret-token"), log);

    // A log written before keys: names in clear, one added and one removed.
    Files.writeString(dir.resolve("exports.log"), "+ legacy v1 1\n+ gone v1 1\n- gone\n");
    StorageControlUnit again = open();
    assertNotNull(again.export("legacy"), "a name in clear still opens its volume");
    assertNull(again.export("gone"));
    assertNull(again.export("secret-token-1"), "the log it replaced is gone");
    assertEquals(
        List.of("+k " + ExportRegistry.keyOf("legacy") + " v1 1"),
        Files.readAllLines(dir.resolve("exports.log")),
        "rewritten as keys at start");
  }

  private StorageConnection servedVolumeAfterRestart() {
    return open().connect();
  }
}
