package org.roamstore.storage.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.nbd.ClientProcess.Result;

/**
 * NBD over TLS with real clients: qemu-io and qemu-img ({@code --object tls-creds-x509}), nbdinfo
 * and nbdcopy ({@code nbds://}, libnbd). Certificates come from {@link TestPki}.
 */
class NbdTlsRealClientsTest extends TlsTestSupport {
  private static final String QEMU_IO = "/usr/bin/qemu-io";
  private static final String QEMU_IMG = "/usr/bin/qemu-img";
  private static final String NBDINFO = "/usr/bin/nbdinfo";
  private static final String NBDCOPY = "/usr/bin/nbdcopy";

  /** The NBD port of a unit in {@code mode} serving {@code size} bytes as {@code token}. */
  private int unit(NbdTlsMode mode, Path tls, long size) {
    return units.open(mode, tls, size).nbdPort();
  }

  /** qemu's TLS client arguments: the credentials object and the image options naming it. */
  private static String[] qemuTls(Path credentials, int port) {
    return new String[] {
      "--object",
      "tls-creds-x509,id=tls0,dir=" + credentials + ",endpoint=client",
      "--image-opts",
      "driver=nbd,host=127.0.0.1,port=" + port + ",export=token,tls-creds=tls0"
    };
  }

  private static String nbds(int port, Path credentials) {
    return "nbds://127.0.0.1:" + port + "/token?tls-certificates=" + credentials;
  }

  private static String[] concat(String[] first, String... rest) {
    String[] all = new String[first.length + rest.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }

  @Test
  void qemuAndLibnbdClientsWorkOverTlsWithClientCertificates() throws Exception {
    ClientProcess.requireTool(QEMU_IO, "qemu-utils");
    ClientProcess.requireTool(NBDCOPY, "libnbd-bin");
    int port = unit(NbdTlsMode.REQUIRED, pki.serverVerifyingClients, 16 << 20);

    String[] io = concat(new String[] {QEMU_IO}, qemuTls(pki.client, port));
    ClientProcess.run(
        dir,
        concat(
            io,
            "-c",
            "write -P 0xab 0 3M",
            "-c",
            "write -P 0xcd 5000001 70001",
            "-c",
            "flush",
            "-c",
            "read -P 0xab 0 3M",
            "-c",
            "read -P 0xcd 5000001 70001"));
    String info =
        ClientProcess.run(dir, concat(new String[] {QEMU_IMG, "info"}, qemuTls(pki.client, port)));
    assertTrue(info.contains("16 MiB"), info);
    String size = ClientProcess.run(dir, NBDINFO, "--size", nbds(port, pki.client));
    assertEquals(16L << 20, Long.parseLong(size.strip()));

    Path in = dir.resolve("in.img");
    Path out = dir.resolve("out.img");
    byte[] chunk = new byte[1 << 20];
    Random random = new Random(23);
    try (OutputStream os = Files.newOutputStream(in)) {
      for (int i = 0; i < 16; i++) {
        random.nextBytes(chunk);
        os.write(chunk);
      }
    }
    ClientProcess.run(dir, NBDCOPY, "--flush", in.toString(), nbds(port, pki.client));
    Files.createFile(out);
    ClientProcess.run(dir, NBDCOPY, nbds(port, pki.client), out.toString());
    assertEquals(-1L, Files.mismatch(in, out), "the copy out over TLS equals the copy in");
  }

  @Test
  void requiredRefusesPlainClientsAndClientsWithoutACertificate() throws Exception {
    ClientProcess.requireTool(QEMU_IO, "qemu-utils");
    ClientProcess.requireTool(NBDINFO, "libnbd-bin");
    int port = unit(NbdTlsMode.REQUIRED, pki.serverVerifyingClients, 1 << 20);
    String plainUri = "nbd://127.0.0.1:" + port + "/token";

    Result plainQemu =
        ClientProcess.runAllowingFailure(
            dir, QEMU_IO, "-f", "raw", plainUri, "-c", "write -P 0x66 0 4k");
    assertNotEquals(0, plainQemu.exit(), plainQemu.output());
    assertTrue(lower(plainQemu).contains("tls"), plainQemu.output());

    Result plainLibnbd = ClientProcess.runAllowingFailure(dir, NBDINFO, "--size", plainUri);
    assertNotEquals(0, plainLibnbd.exit(), plainLibnbd.output());
    assertTrue(lower(plainLibnbd).contains("tls"), plainLibnbd.output());

    Result anonymous =
        ClientProcess.runAllowingFailure(
            dir, concat(new String[] {QEMU_IO}, qemuTls(pki.anonymousClient, port)));
    assertNotEquals(0, anonymous.exit(), anonymous.output());
    Result anonymousLibnbd =
        ClientProcess.runAllowingFailure(dir, NBDINFO, "--size", nbds(port, pki.anonymousClient));
    assertNotEquals(0, anonymousLibnbd.exit(), anonymousLibnbd.output());
    // The server says why (a TLS alert) rather than just hanging up.
    assertTrue(lower(anonymousLibnbd).contains("alert"), anonymousLibnbd.output());

    // Refused connections changed nothing and left the server serving.
    String size = ClientProcess.run(dir, NBDINFO, "--size", nbds(port, pki.client));
    assertEquals(1L << 20, Long.parseLong(size.strip()));
    ClientProcess.run(
        dir,
        concat(concat(new String[] {QEMU_IO}, qemuTls(pki.client, port)), "-c", "read -P 0 0 4k"));
  }

  /**
   * A client certificate of a CA the server does not trust, or of its own CA but expired, is
   * refused at the handshake, by qemu and by libnbd alike: nothing is written, the server says why
   * in its log, and a client with a good certificate is served as before.
   */
  @Test
  void requiredRefusesAStrangersOrAnExpiredCertificateAndChangesNothing() throws Exception {
    ClientProcess.requireTool(QEMU_IO, "qemu-utils");
    ClientProcess.requireTool(NBDINFO, "libnbd-bin");
    int port = unit(NbdTlsMode.REQUIRED, pki.serverVerifyingClients, 1 << 20);
    String[] good = concat(new String[] {QEMU_IO}, qemuTls(pki.client, port));
    ClientProcess.run(dir, concat(good, "-c", "write -P 0x5a 0 64k"));

    // The server names the CAs it accepts, so the stranger's clients do not even offer theirs.
    Map<Path, String> why =
        Map.of(
            pki.strangerClient, "Empty client certificate chain",
            pki.expiredClient, "validity check failed");
    for (Path bad : List.of(pki.strangerClient, pki.expiredClient)) {
      try (ServerLog log = ServerLog.record()) {
        Result qemu =
            ClientProcess.runAllowingFailure(
                dir,
                concat(
                    new String[] {QEMU_IO},
                    concat(qemuTls(bad, port), "-c", "write -P 0x66 0 64k")));
        assertNotEquals(0, qemu.exit(), bad + ": " + qemu.output());
        assertFalse(qemu.output().contains("wrote"), qemu.output());
        Result libnbd = ClientProcess.runAllowingFailure(dir, NBDINFO, "--size", nbds(port, bad));
        assertNotEquals(0, libnbd.exit(), libnbd.output());
        assertTrue(lower(libnbd).contains("alert"), libnbd.output());
        log.awaitContaining(why.get(bad));
      }
    }

    ClientProcess.run(dir, concat(good, "-c", "read -P 0x5a 0 64k"));
  }

  @Test
  void optionalServesPlainAndTlsClientsWithoutClientCertificates() throws Exception {
    ClientProcess.requireTool(QEMU_IO, "qemu-utils");
    ClientProcess.requireTool(NBDINFO, "libnbd-bin");
    int port = unit(NbdTlsMode.OPTIONAL, pki.server, 1 << 20);
    ClientProcess.run(
        dir,
        concat(
            new String[] {QEMU_IO},
            concat(qemuTls(pki.anonymousClient, port), "-c", "write -P 0x11 0 64k")));
    ClientProcess.run(
        dir,
        QEMU_IO,
        "-f",
        "raw",
        "nbd://127.0.0.1:" + port + "/token",
        "-c",
        "read -P 0x11 0 64k");
    String size = ClientProcess.run(dir, NBDINFO, "--size", nbds(port, pki.anonymousClient));
    assertEquals(1L << 20, Long.parseLong(size.strip()));
  }

  private static String lower(Result r) {
    return r.output().toLowerCase(Locale.ROOT);
  }
}
