package org.roamstore.storage.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.engine.StorageControlUnit;

/**
 * STARTTLS and the three TLS modes, option by option, with an in-process client (JSSE over the
 * test's socket): what is refused before TLS, what TLS forgets, what it may not do twice, and that
 * bad handshakes close only their own connection.
 */
class NbdTlsHandshakeTest extends TlsTestSupport {
  private static final int STARTTLS = 5;
  private static final int ACK = 1;
  private static final int ERR_POLICY = 0x80000002;
  private static final int ERR_INVALID = 0x80000003;
  private static final int ERR_TLS_REQD = 0x80000005;
  private static final int SIZE = 4 << 20;

  /** A unit in {@code mode} with one 4 MiB volume exported as {@code token}. */
  private StorageControlUnit unit(NbdTlsMode mode, Path tls) {
    return units.open(mode, tls, SIZE);
  }

  @Test
  void requiredRefusesEveryOptionButStartTlsAndAbortBeforeTls() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.REQUIRED, pki.server);
    try (RawNbdClient plain = new RawNbdClient(unit.nbdPort())) {
      assertEquals(ERR_TLS_REQD, plain.go("token"), "GO");
      plain.sendOption(6, RawNbdClient.goData("token")); // INFO
      assertEquals(ERR_TLS_REQD, plain.readOptionReply().type(), "INFO");
      plain.sendOption(3, new byte[0]); // LIST
      assertEquals(ERR_TLS_REQD, plain.readOptionReply().type(), "LIST");
      plain.sendOption(8, new byte[0]); // STRUCTURED_REPLY
      assertEquals(ERR_TLS_REQD, plain.readOptionReply().type(), "STRUCTURED_REPLY");
      plain.sendOption(99, new byte[0]); // unknown
      assertEquals(ERR_TLS_REQD, plain.readOptionReply().type(), "an unknown option");
      // Refused cleanly: the connection is still there and can say goodbye.
      plain.sendOption(2, new byte[0]); // ABORT
      assertEquals(ACK, plain.readOptionReply().type(), "ABORT acknowledged");
      assertTrue(plain.closedByServer());
    }
    try (RawNbdClient exportName = new RawNbdClient(unit.nbdPort())) {
      exportName.sendOption(1, "token".getBytes()); // EXPORT_NAME has no error reply
      assertTrue(exportName.closedByServer(), "EXPORT_NAME before TLS closes the connection");
    }
    try (RawNbdClient tls = new RawNbdClient(unit.nbdPort())) {
      assertEquals(ACK, tls.startTls(pki.clientContext(false)));
      assertEquals(ACK, tls.go("token"), "GO over TLS");
      assertEquals(SIZE, tls.exportSize);
    }
  }

  @Test
  void startTlsTwiceOrWithDataIsInvalid() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.REQUIRED, pki.server);
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      client.sendOption(STARTTLS, new byte[] {1, 2, 3});
      assertEquals(ERR_INVALID, client.readOptionReply().type(), "STARTTLS with data");
      assertEquals(ACK, client.startTls(pki.clientContext(false)));
      client.sendOption(STARTTLS, new byte[0]);
      assertEquals(ERR_INVALID, client.readOptionReply().type(), "STARTTLS after TLS");
      assertEquals(ACK, client.go("token"), "still usable after the refusal");
    }
  }

  @Test
  void startTlsForgetsWhatWasAgreedBeforeIt() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.OPTIONAL, pki.server);
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      client.structuredReplies();
      assertEquals(ACK, client.startTls(pki.clientContext(false)));
      List<RawNbdClient.OptionReply> replies =
          client.metaContext(10, RawNbdClient.metaContextData("token", "base:allocation"));
      assertEquals(ERR_INVALID, replies.get(0).type(), "structured replies must be asked again");
      client.structuredReplies();
      replies = client.metaContext(10, RawNbdClient.metaContextData("token", "base:allocation"));
      assertEquals(ACK, replies.get(replies.size() - 1).type());
    }
  }

  @Test
  void offRefusesStartTlsByPolicyAndServesPlainNbd() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.OFF, null);
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      assertEquals(ERR_POLICY, client.startTls(pki.clientContext(false)));
      assertEquals(ACK, client.go("token"));
      assertEquals(0, client.write(1, 0, new byte[] {7}));
    }
  }

  @Test
  void optionalServesPlainAndTlsClientsTheSameData() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.OPTIONAL, pki.server);
    byte[] data = new byte[3 << 20]; // larger than the server's input and output buffers
    new Random(17).nextBytes(data);
    try (RawNbdClient tls = new RawNbdClient(unit.nbdPort())) {
      assertEquals(ACK, tls.startTls(pki.clientContext(false)));
      assertEquals(ACK, tls.go("token"));
      assertEquals(0, tls.write(1, 4096, data));
      assertArrayEquals(data, tls.read(2, 4096, data.length), "read back over TLS");
      byte[] small = new byte[] {1, 2, 3};
      assertEquals(0, tls.write(3, 10, small));
      assertArrayEquals(small, tls.read(4, 10, 3));
    }
    try (RawNbdClient plain = new RawNbdClient(unit.nbdPort())) {
      assertEquals(ACK, plain.go("token"));
      assertArrayEquals(data, plain.read(5, 4096, data.length), "read back without TLS");
    }
  }

  @Test
  void tls12WorksAsWellAsTls13() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.REQUIRED, pki.server);
    byte[] data = new byte[1 << 20];
    new Random(12).nextBytes(data);
    for (String version : new String[] {"TLSv1.2", "TLSv1.3"}) {
      try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
        assertEquals(ACK, client.startTls(pki.clientContext(false), version));
        assertEquals(version, client.protocol);
        assertEquals(ACK, client.go("token"));
        assertEquals(0, client.write(1, 12345, data));
        assertArrayEquals(data, client.read(2, 12345, data.length), version);
      }
    }
  }

  @Test
  void clientCertificatesAreRequiredWhenAClientCaIsConfigured() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.REQUIRED, pki.serverVerifyingClients);
    try (RawNbdClient anonymous = new RawNbdClient(unit.nbdPort())) {
      // TLS 1.3 lets the client finish before the server has judged it: the refusal shows at the
      // handshake or at the next read, and either way nothing goes through.
      assertThrows(
          IOException.class,
          () -> {
            anonymous.startTls(pki.clientContext(false));
            anonymous.go("token");
          });
    }
    try (RawNbdClient identified = new RawNbdClient(unit.nbdPort())) {
      assertEquals(ACK, identified.startTls(pki.clientContext(true)));
      assertEquals(ACK, identified.go("token"));
    }
  }

  /**
   * A client that presents a certificate of another CA, or of the right CA but expired, is refused
   * at the handshake, and the server's log line says which (real clients do not even offer a
   * stranger's certificate: NbdTlsRealClientsTest).
   */
  @Test
  void aStrangersOrAnExpiredClientCertificateIsRefusedSayingWhy() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.REQUIRED, pki.serverVerifyingClients);
    Map<Path, String> why =
        Map.of(
            pki.strangerClient, "unable to find valid certification path",
            pki.expiredClient, "validity check failed");
    for (Path bad : List.of(pki.strangerClient, pki.expiredClient)) {
      try (ServerLog log = ServerLog.record();
          RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
        assertThrows(
            IOException.class,
            () -> {
              client.startTls(pki.clientContextInsisting(bad));
              client.go("token");
            },
            bad.toString());
        log.awaitContaining(why.get(bad));
      }
    }
    try (RawNbdClient identified = new RawNbdClient(unit.nbdPort())) {
      assertEquals(ACK, identified.startTls(pki.clientContext(true)));
      assertEquals(ACK, identified.go("token"), "a good client is still served");
    }
  }

  @Test
  void garbageOrSilenceInsteadOfAHandshakeClosesOnlyThatConnection() throws Exception {
    StorageControlUnit unit = unit(NbdTlsMode.REQUIRED, pki.server);
    try (RawNbdClient garbage = new RawNbdClient(unit.nbdPort())) {
      garbage.sendOption(STARTTLS, new byte[0]);
      assertEquals(ACK, garbage.readOptionReply().type());
      // A plain option where the ClientHello should be, then a record header claiming 64 KiB.
      try {
        garbage.sendOption(7, RawNbdClient.goData("token"));
        garbage.out.write(new byte[] {0x16, 0x03, 0x03, (byte) 0xff, (byte) 0xff});
        garbage.out.flush();
      } catch (IOException closedAtThePlainOption) {
        // The server may close (broken pipe) on the option's first bytes, before the rest of it
        // or the record header are written: closing is what is checked.
      }
      assertTrue(garbage.closedByServer());
    }
    try (RawNbdClient dropped = new RawNbdClient(unit.nbdPort())) {
      dropped.sendOption(STARTTLS, new byte[0]);
      assertEquals(ACK, dropped.readOptionReply().type());
      dropped.out.write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01}); // half a ClientHello
      dropped.out.flush();
    }
    try (RawNbdClient good = new RawNbdClient(unit.nbdPort())) {
      assertEquals(ACK, good.startTls(pki.clientContext(false)));
      assertEquals(ACK, good.go("token"), "others are still served");
    }
  }

  @Test
  void aMissingOrOpenKeyStopsTheUnitFromStarting() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    StorageException missing =
        assertThrows(StorageException.class, () -> unit(NbdTlsMode.REQUIRED, empty));
    assertTrue(missing.getMessage().contains(NbdTls.SERVER_CERT), missing.getMessage());

    Path open = Files.createDirectories(dir.resolve("open"));
    Files.copy(pki.server.resolve(NbdTls.SERVER_CERT), open.resolve(NbdTls.SERVER_CERT));
    Files.copy(pki.server.resolve(NbdTls.SERVER_KEY), open.resolve(NbdTls.SERVER_KEY));
    Files.setPosixFilePermissions(
        open.resolve(NbdTls.SERVER_KEY), PosixFilePermissions.fromString("rw-r--r--"));
    StorageException readable =
        assertThrows(StorageException.class, () -> unit(NbdTlsMode.OPTIONAL, open));
    assertTrue(readable.getMessage().contains("chmod 600"), readable.getMessage());
  }
}
