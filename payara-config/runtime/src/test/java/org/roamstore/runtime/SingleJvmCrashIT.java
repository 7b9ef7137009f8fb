package org.roamstore.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.roamstore.storage.replication.TaggedNbdWriter;

/**
 * The default deployment's crash: {@code roamstore run} holds all three data centers' storage in
 * one Payara Micro JVM, so a SIGKILL of it takes the primary and both secondaries down at once,
 * mid-write (a real NBD client, each block tagged with its write, a FLUSH every 150 ms). The run
 * command is started again on the same data. Then every secondary must come back in sync, an online
 * verify must find no difference, every flushed write must be at the primary, and after a clean
 * stop the three volume files must be byte-identical.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SingleJvmCrashIT {
  private static final String[] SITES = {"seattle", "portland", "sanfrancisco"};
  private static final long SIZE = 16L << 20;

  private RunCommand running;

  @AfterEach
  void stopWhateverRuns() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ASYNC", "SYNC"})
  void aKilledServerRestartsAndItsCopiesAgreeAgain(String transfer) throws Exception {
    Path data = Path.of(System.getProperty("it.data") + "-crash-" + transfer.toLowerCase());
    int httpPort = freePort();
    int brokerPort = freePort();
    running = RunCommand.start(data, httpPort, brokerPort, 1);
    GatewayClient gateway = new GatewayClient(new URL(running.url));
    String user = gateway.newUser();
    String volume = gateway.newVolume(user, transfer, SITES);
    URI nbd =
        URI.create(gateway.login(user, volume, "seattle").getJsonObject("nbd").getString("uri"));

    long seed = transfer.hashCode();
    TaggedNbdWriter writer = new TaggedNbdWriter(SIZE, seed, 4L << 20);
    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                writer.run(nbd.getPort(), nbd.getPath().substring(1), 120_000, 150);
              } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
              }
            });
    await().atMost(Duration.ofSeconds(60)).until(() -> writer.completedFlushes() >= 3);
    Thread.sleep(new Random(seed).nextInt(1000)); // the crash's moment, seeded
    long payara = Long.parseLong(Files.readString(data.resolve("payara.pid")).strip());
    new ProcessBuilder("kill", "-9", Long.toString(payara)).start().waitFor();
    writing.get(60, TimeUnit.SECONDS);
    assertTrue(writer.flushedAcknowledgements() > 0, "some writes were flushed before the kill");
    // The run command notices Payara is gone, stops its broker cleanly and exits.
    assertTrue(
        running.process.waitFor(90, TimeUnit.SECONDS), "the run command ends with its server");

    running = RunCommand.start(data, httpPort, brokerPort, 2);
    gateway = new GatewayClient(new URL(running.url));
    assertTrue(
        Files.readString(data.resolve("logs").resolve("payara.log"))
            .contains("was not stopped cleanly"),
        "the restarted primary found hot regions in its activity log");
    GatewayClient after = gateway;
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> secondaries(after, volume).stream().allMatch(SingleJvmCrashIT::inSync));
    HttpResponse<String> verify =
        gateway.send("POST", "api/volumes/" + volume + "/verify", GatewayClient.ADMIN, null);
    assertEquals(202, verify.statusCode(), verify.body());
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                secondaries(after, volume).stream()
                    .map(s -> s.get("lag") instanceof JsonObject lag ? lag.get("verify") : null)
                    .allMatch(
                        v ->
                            v instanceof JsonObject o
                                && !"RUNNING".equals(o.getString("outcome"))));
    for (JsonObject secondary : secondaries(gateway, volume)) {
      JsonObject v = secondary.getJsonObject("lag").getJsonObject("verify");
      assertEquals("NO_DIFFERENCE", v.getString("outcome"), secondary.toString());
    }
    HttpResponse<String> described =
        gateway.send("GET", "api/admin/volumes/" + volume, GatewayClient.ADMIN, null);
    assertEquals(200, described.statusCode(), described.body());
    String storageId = GatewayClient.json(described.body()).getString("storageId");
    running.stop();

    Path primary = volumeFile(data, "seattle", storageId);
    // SYNC: every acknowledged write, which was in the primary's file when acknowledged.
    boolean sync = "SYNC".equals(transfer);
    List<String> lost = writer.check(primary, sync);
    assertTrue(
        lost.isEmpty(),
        () -> (sync ? "acknowledged" : "flushed") + " writes missing at the primary: " + lost);
    byte[] expected = Files.readAllBytes(primary);
    for (String site : SITES) {
      assertArrayEquals(
          expected,
          Files.readAllBytes(volumeFile(data, site, storageId)),
          site + "'s copy differs from the primary's");
    }
  }

  /** In sync with nothing pending, as the status reports it (fields may be null meanwhile). */
  private static boolean inSync(JsonObject member) {
    return member.get("lag") instanceof JsonObject lag
        && "IN_SYNC".equals(lag.getString("state", null))
        && lag.get("pendingWrites") instanceof jakarta.json.JsonNumber pending
        && pending.longValue() == 0;
  }

  private static List<JsonObject> secondaries(GatewayClient gateway, String volume)
      throws Exception {
    HttpResponse<String> status =
        gateway.send("GET", "api/status/" + volume, GatewayClient.ADMIN, null);
    assertEquals(200, status.statusCode(), status.body());
    return GatewayClient.json(status.body()).getJsonArray("members").stream()
        .map(JsonValue::asJsonObject)
        .filter(m -> !m.getBoolean("primary"))
        .toList();
  }

  /** The site's file of the real volume (the directory's storage id, the same at every site). */
  private static Path volumeFile(Path data, String site, String storageId) {
    Path file =
        data.resolve("storage").resolve(site).resolve("volumes").resolve(storageId + ".vol");
    assertTrue(Files.exists(file), file.toString());
    return file;
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
