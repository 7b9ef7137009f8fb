package org.roamstore.storage.nbd;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;
import org.roamstore.storage.nbd.ClientProcess.Result;

/**
 * The NBD front end driven by real clients: qemu-io (qemu's NBD client), nbdcopy and fio (both
 * libnbd). A missing client fails the test and names the package to install.
 */
class NbdRealClientsTest {
  private static final String QEMU_IO = "/usr/bin/qemu-io";
  private static final String NBDCOPY = "/usr/bin/nbdcopy";
  private static final String FIO = "/usr/bin/fio";
  private static final String NBDINFO = "/usr/bin/nbdinfo";
  private static final String QEMU_IMG = "/usr/bin/qemu-img";
  private static final int MIB = 1 << 20;

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
            new StorageControlUnitConfig("site-a", dir.resolve("data"), 32 << 20, null, 0),
            executor);
    units.add(unit);
    return unit;
  }

  /** A unit with one served volume exported as {@code token}. */
  private StorageControlUnit unitWithVolume(long size) {
    StorageControlUnit unit = open();
    try (StorageConnection c = unit.connect()) {
      var volume = c.createVolume("v1", size);
      c.defineCopyGroup(
          new CopyVolumeGroupInfo(
              "g1", TransferType.ASYNC, 1, List.of(new CopyGroupMember(volume.address(), true))));
      c.registerExport("token", "v1", 1);
    }
    return unit;
  }

  private static String uri(StorageControlUnit unit, String export) {
    return "nbd://127.0.0.1:" + unit.nbdPort() + "/" + export;
  }

  @Test
  void qemuIoWritesPatternsAndReadsThemBack() throws Exception {
    ClientProcess.requireTool(QEMU_IO, "qemu-utils");
    StorageControlUnit unit = unitWithVolume(16 << 20);
    String out =
        run(
            QEMU_IO,
            "-f",
            "raw",
            uri(unit, "token"),
            "-c",
            "write -P 0xab 0 1M",
            "-c",
            "write -P 0xcd 1000001 70001",
            "-c",
            "write -z 4M 2M",
            "-c",
            "flush",
            "-c",
            "read -P 0xab 0 1000001",
            "-c",
            "read -P 0xcd 1000001 70001",
            "-c",
            "read -P 0 1070002 100000",
            "-c",
            "read -P 0 4M 2M");
    assertTrue(!out.contains("verification failed"), out);
    try (StorageConnection c = unit.connect()) {
      byte[] back = c.read("v1", 1, 1_000_001, 2);
      assertEquals((byte) 0xcd, back[0]);
    }
  }

  @Test
  void nbdcopyCopiesA64MiBFileInAndOutUnchanged() throws Exception {
    ClientProcess.requireTool(NBDCOPY, "libnbd-bin");
    StorageControlUnit unit = unitWithVolume(64 << 20);
    Path in = dir.resolve("in.img");
    Path out = dir.resolve("out.img");
    Random random = new Random(64);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream os = Files.newOutputStream(in)) {
      for (int i = 0; i < 64; i++) {
        random.nextBytes(chunk);
        if (i % 9 == 4) {
          java.util.Arrays.fill(chunk, (byte) 0); // zero runs, which nbdcopy may send as zeroing
        }
        os.write(chunk);
      }
    }
    run(NBDCOPY, "--flush", in.toString(), uri(unit, "token"));
    Files.createFile(out);
    run(NBDCOPY, uri(unit, "token"), out.toString());
    assertEquals(-1L, Files.mismatch(in, out), "the copy out equals the copy in");
  }

  @Test
  void fioRandomWritesVerifyWithCrc32c() throws Exception {
    ClientProcess.requireTool(FIO, "fio");
    StorageControlUnit unit = unitWithVolume(64 << 20);
    String out =
        run(
            FIO,
            "--name=verify",
            "--ioengine=nbd",
            "--uri=" + uri(unit, "token"),
            "--rw=randwrite",
            "--bs=4k",
            "--size=32M",
            "--iodepth=16",
            "--verify=crc32c",
            "--do_verify=1",
            "--randseed=1234",
            "--verify_fatal=1",
            "--verify_state_save=0"); // no state file left in the module's folder
    assertTrue(out.contains("err= 0"), out);
  }

  @Test
  void flushedDataIsIntactAfterARestart() throws Exception {
    ClientProcess.requireTool(QEMU_IO, "qemu-utils");
    StorageControlUnit unit = unitWithVolume(8 << 20);
    run(QEMU_IO, "-f", "raw", uri(unit, "token"), "-c", "write -P 0x5a 12345 3M", "-c", "flush");
    unit.close();

    StorageControlUnit again = open();
    run(
        QEMU_IO,
        "-f",
        "raw",
        uri(again, "token"),
        "-c",
        "read -P 0x5a 12345 3M",
        "-c",
        "read -P 0 0 12345");
  }

  @Test
  void unknownExportIsRefused() throws Exception {
    ClientProcess.requireTool(QEMU_IO, "qemu-utils");
    StorageControlUnit unit = unitWithVolume(1 << 20);
    Result r =
        runAllowingFailure(QEMU_IO, "-f", "raw", uri(unit, "not-a-token"), "-c", "read 0 4k");
    assertNotEquals(0, r.exit(), r.output());
    assertTrue(r.output().toLowerCase().contains("export"), r.output());
  }

  private Path volumeFile() {
    return dir.resolve("data").resolve("volumes").resolve("v1.vol");
  }

  private static void write(StorageControlUnit unit, long offset, byte[] data) {
    try (StorageConnection c = unit.connect()) {
      c.write("v1", 1, offset, data, false);
    }
  }

  @Test
  void nbdinfoAndQemuImgMapShowTheHolesOfASparseVolume() throws Exception {
    ClientProcess.requireTool(NBDINFO, "libnbd-bin");
    ClientProcess.requireTool(QEMU_IMG, "qemu-utils");
    StorageControlUnit unit = unitWithVolume(64 << 20);
    write(unit, 8 * MIB, new byte[MIB]); // around the cache, into the file
    byte[] small = new byte[4096];
    small[7] = 1;
    write(unit, 40 * MIB, small); // into the cache: data whether destaged yet or not

    List<List<Long>> map = new ArrayList<>();
    for (String line : run(NBDINFO, "--map", uri(unit, "token")).strip().split("\n")) {
      String[] f = line.strip().split("\\s+");
      map.add(List.of(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
    }
    assertEquals(
        List.of(
            List.of(0L, 8L * MIB, 3L),
            List.of(8L * MIB, (long) MIB, 0L),
            List.of(9L * MIB, 31L * MIB, 3L),
            List.of(40L * MIB, 4096L, 0L),
            List.of(40L * MIB + 4096, 24L * MIB - 4096, 3L)),
        map,
        "nbdinfo --map: offset, length, 3 = hole and zero, 0 = data");

    String json = run(QEMU_IMG, "map", "-f", "raw", "--output=json", uri(unit, "token"));
    List<String> data = new ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"start\": (\\d+), \"length\": (\\d+),[^}]*\"data\": true")
            .matcher(json);
    while (m.find()) {
      data.add(m.group(1) + "+" + m.group(2));
    }
    assertEquals(List.of(8 * MIB + "+" + MIB, 40 * MIB + "+4096"), data, json);
  }

  @Test
  void nbdcopyAndQemuImgConvertCopyA1GiBVolumeWith10MiBWritten() throws Exception {
    ClientProcess.requireTool(NBDCOPY, "libnbd-bin");
    ClientProcess.requireTool(QEMU_IMG, "qemu-utils");
    long size = 1L << 30;
    StorageControlUnit unit = unitWithVolume(size);
    Path expected = dir.resolve("expected.img");
    Random random = new Random(1010);
    try (var file = java.nio.channels.FileChannel.open(expected, CREATE_NEW, WRITE)) {
      for (int i = 0; i < 10; i++) {
        byte[] data = new byte[MIB];
        random.nextBytes(data);
        long offset = i * 100L * MIB + i * 12345L; // some not page aligned
        write(unit, offset, data);
        file.write(java.nio.ByteBuffer.wrap(data), offset);
      }
      file.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1); // the same length
    }
    Path byNbdcopy = Files.createFile(dir.resolve("nbdcopy.img"));
    run(NBDCOPY, uri(unit, "token"), byNbdcopy.toString());
    Path byQemuImg = dir.resolve("qemu-img.img");
    run(QEMU_IMG, "convert", "-f", "raw", "-O", "raw", uri(unit, "token"), byQemuImg.toString());
    assertEquals(-1L, Files.mismatch(expected, byNbdcopy), "nbdcopy's copy");
    assertEquals(-1L, Files.mismatch(expected, byQemuImg), "qemu-img convert's copy");
  }

  @Test
  void trimAndZeroingGiveSpaceBackButNotWithNoHole() throws Exception {
    ClientProcess.requireTool(QEMU_IO, "qemu-utils");
    StorageControlUnit unit = unitWithVolume(64 << 20);
    String uri = uri(unit, "token");
    run(QEMU_IO, "-f", "raw", uri, "-c", "write -P 0x11 0 32M", "-c", "flush");
    long written = allocatedBytes(volumeFile());
    assertTrue(written >= 32L * MIB, "allocated after writing 32 MiB: " + written);

    run(QEMU_IO, "-f", "raw", uri, "-c", "discard 0 8M", "-c", "flush");
    long trimmed = allocatedBytes(volumeFile());
    assertTrue(trimmed <= written - 8L * MIB, written + " -> " + trimmed + " after TRIM of 8 MiB");

    // qemu sends NO_HOLE unless told it may unmap (-u).
    run(QEMU_IO, "-f", "raw", uri, "-c", "write -z 8M 8M", "-c", "flush");
    long kept = allocatedBytes(volumeFile());
    assertTrue(kept >= trimmed, trimmed + " -> " + kept + " after zeroing with NO_HOLE");
    run(QEMU_IO, "-f", "raw", uri, "-c", "write -z -u 16M 8M", "-c", "flush");
    long punched = allocatedBytes(volumeFile());
    assertTrue(punched <= kept - 8L * MIB, kept + " -> " + punched + " after zeroing 8 MiB");

    run(
        QEMU_IO,
        "-f",
        "raw",
        uri,
        "-c",
        "read -P 0 0 24M",
        "-c",
        "read -P 0x11 24M 8M",
        "-c",
        "read -P 0 32M 32M");
  }

  /** What {@code stat} says the file occupies on disk: 512-byte blocks. */
  private long allocatedBytes(Path file) throws Exception {
    return 512 * Long.parseLong(run("/usr/bin/stat", "-c", "%b", file.toString()).strip());
  }

  @Test
  void advertisedFlagsAreTrueAndNbdcopyFlushesEveryConnectionsWrites() throws Exception {
    ClientProcess.requireTool(NBDINFO, "libnbd-bin");
    ClientProcess.requireTool(NBDCOPY, "libnbd-bin");
    StorageControlUnit unit = unitWithVolume(32 << 20);
    String info = run(NBDINFO, "--json", uri(unit, "token")).replaceAll("\\s", "");
    for (String fact :
        List.of(
            "\"structured\":true",
            "\"contexts\":[\"base:allocation\",\"roamstore:replication\"]",
            "\"can_multi_conn\":true",
            "\"can_fast_zero\":true",
            "\"can_trim\":true",
            "\"can_df\":true",
            "\"block_size_minimum\":1,",
            "\"block_size_preferred\":4096,",
            "\"block_size_maximum\":33554432,")) {
      assertTrue(info.contains(fact), fact + " in " + info);
    }

    Path in = dir.resolve("in.img");
    byte[] content = new byte[32 << 20];
    new Random(4).nextBytes(content);
    Files.write(in, content);
    // Four connections write their parts; the flush at the end must cover all of them, so the
    // volume file itself (not just the cache) holds every byte once nbdcopy has exited.
    run(NBDCOPY, "--connections=4", "--flush", in.toString(), uri(unit, "token"));
    assertEquals(-1L, Files.mismatch(in, volumeFile()), "the volume file after the flush");
  }

  // ---- running clients ----

  private String run(String... command) throws Exception {
    return ClientProcess.run(dir, command);
  }

  private Result runAllowingFailure(String... command) throws Exception {
    return ClientProcess.runAllowingFailure(dir, command);
  }
}
