package org.roamstore.storage.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that connect and never finish the handshake are disconnected, and others still served.
 */
class NbdHandshakeTimeoutTest {
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private NbdServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        NbdServer.start(
            "127.0.0.1", 0, name -> null, NbdTls.off(), executor, Duration.ofMillis(300));
  }

  @AfterEach
  void stop() {
    server.close();
    executor.shutdownNow();
  }

  @Test
  void aClientThatSaysNothingAfterTheGreetingIsDisconnected() throws Exception {
    try (RawNbdClient silent = new RawNbdClient(server.port())) {
      assertTrue(silent.closedByServer(), "closed within the client's 10 s read timeout");
    }
    assertStillServing();
  }

  @Test
  void aClientThatTricklesItsOptionIsDisconnected() throws Exception {
    try (RawNbdClient trickling = new RawNbdClient(server.port())) {
      // A valid GO header announcing 100 bytes of data: without a limit the server would wait.
      byte[] option =
          ByteBuffer.allocate(16).putLong(RawNbdClient.IHAVEOPT).putInt(7).putInt(100).array();
      for (byte b : option) {
        trickling.out.write(b);
        trickling.out.flush();
        Thread.sleep(50); // 0.8 s for the option header, longer than the server allows
      }
      assertTrue(trickling.closedByServer());
    } catch (SocketException e) {
      // the server closed while bytes were still being written: disconnected as well
    }
    assertStillServing();
  }

  private void assertStillServing() throws Exception {
    try (RawNbdClient client = new RawNbdClient(server.port())) {
      assertEquals(0x80000006, client.go("no-such-token"), "a prompt client is answered");
    }
  }
}
