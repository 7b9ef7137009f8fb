package org.roamstore.storage.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;

/**
 * The NBD front end driven by real clients: qemu-io (qemu's NBD client), nbdcopy and fio (both
 * libnbd). A missing client fails the test and names the package to install.
 */
class NbdRealClientsTest {
  private static final String QEMU_IO = "/usr/bin/qemu-io";
  private static final String NBDCOPY = "/usr/bin/nbdcopy";
  private static final String FIO = "/usr/bin/fio";

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
    requireTool(QEMU_IO, "qemu-utils");
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
    requireTool(NBDCOPY, "libnbd-bin");
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
    requireTool(FIO, "fio");
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
            "--verify_fatal=1");
    assertTrue(out.contains("err= 0"), out);
  }

  @Test
  void flushedDataIsIntactAfterARestart() throws Exception {
    requireTool(QEMU_IO, "qemu-utils");
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
    requireTool(QEMU_IO, "qemu-utils");
    StorageControlUnit unit = unitWithVolume(1 << 20);
    Result r =
        runAllowingFailure(QEMU_IO, "-f", "raw", uri(unit, "not-a-token"), "-c", "read 0 4k");
    assertNotEquals(0, r.exit(), r.output());
    assertTrue(r.output().toLowerCase().contains("export"), r.output());
  }

  // ---- running clients ----

  record Result(int exit, String output) {}

  static void requireTool(String path, String debianPackage) {
    if (!Files.isExecutable(Path.of(path))) {
      fail(
          path
              + " is missing: install the Debian package "
              + debianPackage
              + " (apt-get install "
              + debianPackage
              + ")");
    }
  }

  private String run(String... command) throws Exception {
    Result r = runAllowingFailure(command);
    assertEquals(0, r.exit(), String.join(" ", command) + " failed:\n" + r.output());
    assertTrue(
        !r.output().contains("Pattern verification failed"), "pattern mismatch:\n" + r.output());
    return r.output();
  }

  private Result runAllowingFailure(String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "client", ".log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(command[0] + " did not finish within 90 s:\n" + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
