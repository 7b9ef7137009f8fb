package org.roamstore.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The login (Fig. 8) and the copy volume group definition (Fig. 9) from outside: the real WAR and
 * RARs on Payara Micro, driven over REST, with qemu-io as the NBD client and an Artemis client on
 * the events topic. Every test makes its own user and volumes.
 */
@ExtendWith(ArquillianExtension.class)
class DirectoryLoginIT {
  private static final String ADMIN = "admin:roamstore-admin"; // from demo-topology.json
  private static final String PASSWORD = "it-password-1";

  @Deployment(testable = false)
  static WebArchive gateway() {
    return ShrinkWrap.createFromZipFile(
        WebArchive.class, new File(System.getProperty("roamstore.dist"), "web-gateway.war"));
  }

  @ArquillianResource private URL base;

  private final HttpClient http = HttpClient.newHttpClient();
  private String user;

  @BeforeEach
  void aFreshUser() throws Exception {
    user = "it-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> created =
        send(
            "POST",
            "api/admin/users",
            ADMIN,
            "{\"name\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}");
    assertEquals(201, created.statusCode(), created.body());
  }

  @Test
  void eachDemoNetworkInterfaceLogsInAtItsNearestSite() throws Exception {
    String volume = volume("SYNC", "TAKE_OVER", 0, "portland", "seattle", "sanfrancisco");
    List<List<String>> viaAndNearest =
        List.of(
            List.of("seattle", "seattle"),
            List.of("sanjose", "sanfrancisco"),
            List.of("tacoma", "seattle"),
            List.of("eugene", "portland"),
            List.of("sacramento", "sanfrancisco"),
            List.of("tacoma", "seattle"));
    for (List<String> via : viaAndNearest) {
      JsonObject login = ok(login(volume, via.get(0), false));

      assertEquals(via.get(1), login.getJsonObject("dataCenter").getString("name"), via.get(0));
      assertPrimaryEverywhere(volume, via.get(1), login.getJsonNumber("epoch").longValue());
    }
  }

  @Test
  void aSwitchMovesThePrimaryTheNewExportWorksTheOldIsRefusedAndItIsAnnounced() throws Exception {
    String volume = volume("SYNC", "TAKE_OVER", 0, "seattle", "portland", "sanfrancisco");
    try (Events events = new Events()) {
      JsonObject atSeattle = ok(login(volume, "seattle", false));
      assertEquals("AT_PRIMARY", atSeattle.getString("outcome"));
      String oldNbd = atSeattle.getJsonObject("nbd").getString("uri");
      assertTrue(qemuWrite(oldNbd, 0x11).contains("wrote 4096/4096"), "the first export works");
      assertExportEndsWithTheGrant(atSeattle, "seattle");

      JsonObject atPortland = ok(login(volume, "eugene", false));

      assertEquals("SWITCH", atPortland.getString("outcome"));
      assertEquals("TAKEN_OVER", atPortland.getString("reason"), "seattle's grant was in use");
      assertEquals("seattle", atPortland.getString("previousPrimary"));
      assertEquals(1, atPortland.getInt("revokedGrants"));
      assertEquals(
          atSeattle.getJsonNumber("epoch").longValue() + 1,
          atPortland.getJsonNumber("epoch").longValue());
      assertPrimaryEverywhere(volume, "portland", atPortland.getJsonNumber("epoch").longValue());
      String newNbd = atPortland.getJsonObject("nbd").getString("uri");
      assertNotEquals(oldNbd, newNbd);
      assertTrue(qemuWrite(newNbd, 0x5a).contains("wrote 4096/4096"), "the new export works");
      assertTrue(qemuRead(newNbd, 0x5a).contains("read 4096/4096"), "and reads back what it wrote");
      assertFalse(qemuWrite(oldNbd, 0x22).contains("wrote"), "the old export is refused");

      events.awaitAll(
          volume,
          e ->
              "PRIMARY_SWITCHED".equals(e.getString("type"))
                  && "portland".equals(e.getString("to")),
          e -> "LOGIN".equals(e.getString("type")) && "SWITCH".equals(e.getString("outcome")));
    }
  }

  @Test
  void asyncDataWrittenAtTheOldSiteIsReadableAtTheNewSiteRightAfterTheSwitchingLogin()
      throws Exception {
    String volume = volume("ASYNC", "TAKE_OVER", 0, "seattle", "portland", "sanfrancisco");
    JsonObject atSeattle = ok(login(volume, "seattle", false));
    assertEquals("AT_PRIMARY", atSeattle.getString("outcome"));
    // ASYNC: each write is acknowledged once it is in seattle's cache; the copies follow. 4 MiB in
    // 1 MiB patterns and, after them, an unaligned write across a page boundary (4 MiB + 4095);
    // then no flush, no wait.
    List<String> writes = new ArrayList<>();
    List<String> reads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      writes.add("write -P " + (0x61 + i) + " " + i + "M 1M");
      reads.add("read -P " + (0x61 + i) + " " + i + "M 1M");
    }
    writes.add("write -P 126 4198399 3000");
    reads.add("read -P 126 4198399 3000");
    QemuIo.Result written =
        QemuIo.run(atSeattle.getJsonObject("nbd").getString("uri"), writes.toArray(String[]::new));
    assertEquals(0, written.exit(), written.output());
    assertEquals(5, count(written.output(), "wrote "), written.output());

    // The switching login drains seattle (synchronize cache) before portland becomes primary.
    JsonObject atPortland = ok(login(volume, "eugene", false));
    assertEquals("SWITCH", atPortland.getString("outcome"));
    assertEquals("seattle", atPortland.getString("previousPrimary"));
    assertReadsBack(atPortland, reads);

    // And on to the third copy, which also had it: San Francisco from San Jose.
    JsonObject atSanFrancisco = ok(login(volume, "sanjose", false));
    assertEquals("SWITCH", atSanFrancisco.getString("outcome"));
    assertEquals("portland", atSanFrancisco.getString("previousPrimary"));
    assertReadsBack(atSanFrancisco, reads);
  }

  /**
   * The site's storage holds the login's export with the grant's expiry, so it does not outlive it,
   * and by its SHA-256 only, so its file holds no token.
   */
  private static void assertExportEndsWithTheGrant(JsonObject login, String site) throws Exception {
    String name = login.getJsonObject("nbd").getString("export");
    String key =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    String bound = "+k " + key + " ";
    String ends = " " + Instant.parse(login.getString("expiresAt")).toEpochMilli();
    List<String> records =
        Files.readAllLines(Path.of(System.getProperty("it.data"), "storage", site, "exports.log"));
    assertTrue(
        records.stream().anyMatch(r -> r.startsWith(bound) && r.endsWith(ends)),
        "an export record ending at " + login.getString("expiresAt") + " in " + records);
    assertFalse(records.stream().anyMatch(r -> r.contains(name)), "the token is not kept");
  }

  private static void assertReadsBack(JsonObject login, List<String> reads) throws Exception {
    String site = login.getJsonObject("dataCenter").getString("name");
    QemuIo.Result read =
        QemuIo.run(login.getJsonObject("nbd").getString("uri"), reads.toArray(String[]::new));
    assertEquals(0, read.exit(), site + ": " + read.output());
    assertFalse(read.output().contains("Pattern verification failed"), site + ": " + read.output());
    assertEquals(reads.size(), count(read.output(), "read "), site + ": " + read.output());
  }

  private static int count(String text, String word) {
    int n = 0;
    for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void concurrentLoginsFromTwoSitesNeverLeaveTwoPrimaries() throws Exception {
    String volume = volume("SYNC", "TAKE_OVER", 0, "seattle", "portland", "sanfrancisco");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Integer> statuses = new CopyOnWriteArrayList<>();
      for (int round = 0; round < 8; round++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> both = new ArrayList<>();
        for (String via : List.of("tacoma", "sanjose")) {
          both.add(
              pool.submit(
                  () -> {
                    start.await();
                    return login(volume, via, false);
                  }));
        }
        start.countDown();
        for (Future<HttpResponse<String>> f : both) {
          HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
          statuses.add(r.statusCode());
          assertTrue(
              r.statusCode() == 200 || r.body().contains("VOLUME_BUSY"),
              "round " + round + ": " + r.body());
        }
        JsonObject view = describe(volume);
        List<String> primaries = new ArrayList<>();
        for (JsonValue m : view.getJsonArray("members")) {
          if (m.asJsonObject().getBoolean("primary")) {
            primaries.add(m.asJsonObject().getString("dataCenter"));
          }
        }
        assertEquals(1, primaries.size(), "one primary in the directory: " + view);
        assertPrimaryEverywhere(volume, primaries.get(0), view.getJsonNumber("epoch").longValue());
      }
      assertTrue(statuses.contains(200));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSwitchThatFailsAtOneMemberIsUndoneAndTheOldPrimaryStaysWritable() throws Exception {
    String volume = volume("SYNC", "TAKE_OVER", 0, "seattle", "portland", "sanfrancisco");
    JsonObject atSeattle = ok(login(volume, "seattle", false));
    String oldNbd = atSeattle.getJsonObject("nbd").getString("uri");
    JsonObject before = describe(volume);
    // San Francisco's storage cannot store copy group information for this group: a directory
    // where the engine writes its temporary file makes that write fail (even for root).
    Path sabotage =
        Path.of(
            System.getProperty("it.data"),
            "storage",
            "sanfrancisco",
            "copygroups",
            before.getString("storageId") + ".group.tmp");
    Files.createDirectories(sabotage);
    try {
      HttpResponse<String> failed = login(volume, "eugene", false);

      assertEquals(502, failed.statusCode(), failed.body());
      JsonObject error = json(failed.body()).getJsonObject("error");
      assertEquals("SWITCH_FAILED", error.getString("code"));
      assertEquals("sanfrancisco", error.getJsonObject("details").getString("failedAt"));
      JsonObject after = describe(volume);
      assertEquals(
          before.getJsonNumber("epoch"), after.getJsonNumber("epoch"), "directory unchanged");
      assertEquals(0, after.getJsonArray("switches").size());
      assertEquals(1, after.getInt("activeGrants"), "seattle's grant was not revoked");
      for (JsonValue m : after.getJsonArray("members")) {
        JsonObject member = m.asJsonObject();
        assertEquals(
            "seattle".equals(member.getString("dataCenter")), member.getBoolean("primary"));
        assertEquals(
            "seattle", member.getJsonObject("storage").getString("primary"), member.toString());
      }
      assertTrue(
          qemuWrite(oldNbd, 0x33).contains("wrote 4096/4096"), "the old primary is writable");
    } finally {
      Files.delete(sabotage);
    }
    // With San Francisco healthy again the same switch goes through, above the undo's epoch.
    JsonObject atPortland = ok(login(volume, "eugene", false));
    assertEquals("portland", atPortland.getJsonObject("dataCenter").getString("name"));
    assertPrimaryEverywhere(volume, "portland", atPortland.getJsonNumber("epoch").longValue());
  }

  @Test
  void badLoginsGetClearErrorsChangeNothingAndAnnounceNothing() throws Exception {
    String volume = volume("SYNC", "TAKE_OVER", 0, "seattle", "portland");
    JsonObject before = describe(volume);
    try (Events events = new Events()) {
      assertError(401, "AUTHENTICATION_FAILED", loginAs(user, "wrong-password", volume, "eugene"));
      assertError(
          401, "AUTHENTICATION_FAILED", loginAs("nobody-" + user, PASSWORD, volume, "eugene"));
      assertError(404, "UNKNOWN_VOLUME", loginAs(user, PASSWORD, "no-such-" + volume, "eugene"));
      assertError(403, "NOT_YOUR_VOLUME", loginAs("alice", "alice-roams", volume, "eugene"));
      assertError(400, "UNKNOWN_NETWORK_INTERFACE", loginAs(user, PASSWORD, volume, "atlantis"));
      assertError(
          400, "VALIDATION_FAILED", send("POST", "api/login", null, "{\"user\":\"" + user + "\"}"));
      assertError(400, "MALFORMED_REQUEST", send("POST", "api/login", null, "{\"user\":"));

      JsonObject after = describe(volume);
      assertEquals(before.getJsonNumber("epoch"), after.getJsonNumber("epoch"));
      assertEquals(before.getJsonArray("members"), after.getJsonArray("members"));
      assertEquals(0, after.getInt("activeGrants"));

      // A good login as a marker: it is announced, and nothing before it was.
      ok(loginAs(user, PASSWORD, volume, "seattle"));
      List<JsonObject> seen = events.awaitAll(volume, e -> "LOGIN".equals(e.getString("type")));
      assertEquals(1, seen.size(), "only the good login was announced: " + seen);
    }
  }

  @Test
  void theRulesUsersExpect() throws Exception {
    // Minimum stay: a primary that just moved stays; the login gets the remote primary.
    String sticky = volume("SYNC", "TAKE_OVER", 3600, "seattle", "portland");
    assertEquals("SWITCH", ok(login(sticky, "eugene", false)).getString("outcome"));
    JsonObject stayed = ok(login(sticky, "seattle", false));
    assertEquals("STAY_REMOTE", stayed.getString("outcome"));
    assertEquals("MINIMUM_STAY", stayed.getString("reason"));
    assertEquals("portland", stayed.getJsonObject("dataCenter").getString("name"));
    assertTrue(qemuWrite(stayed.getJsonObject("nbd").getString("uri"), 0x44).contains("wrote"));

    // Policy STAY: a volume in use through another site is not taken; the login gets its address.
    String staying = volume("ASYNC", "STAY", 0, "seattle", "portland");
    ok(login(staying, "seattle", false));
    JsonObject remote = ok(login(staying, "eugene", false));
    assertEquals("STAY_REMOTE", remote.getString("outcome"));
    assertEquals("IN_USE_ELSEWHERE", remote.getString("reason"));
    assertEquals("seattle", remote.getJsonObject("realVolume").getString("storageSystem"));
    assertPrimaryEverywhere(staying, "seattle", remote.getJsonNumber("epoch").longValue());
  }

  @Test
  void aDownSiteIsSkippedAndADownPrimaryIsOnlyTakenOverByForce() throws Exception {
    String volume = volume("SYNC", "TAKE_OVER", 0, "seattle", "portland", "sanfrancisco");
    String first = ok(login(volume, "seattle", false)).getJsonObject("nbd").getString("uri");
    assertTrue(qemuWrite(first, 0x11).contains("wrote"), "a SYNC write reaches every copy");
    try {
      assertEquals(
          200, send("PUT", "api/admin/sites/seattle", ADMIN, "{\"up\":false}").statusCode());

      HttpResponse<String> refused = login(volume, "tacoma", false);
      assertError(503, "OLD_PRIMARY_UNREACHABLE", refused);
      assertPrimaryEverywhere(
          volume, "seattle", describe(volume).getJsonNumber("epoch").longValue());

      JsonObject forced = ok(login(volume, "tacoma", true));
      assertEquals("FORCED_TAKEOVER", forced.getString("outcome"));
      assertEquals(
          "portland", forced.getJsonObject("dataCenter").getString("name"), "seattle skipped");
      assertTrue(forced.getJsonObject("skippedMembers").containsKey("seattle"));
      String loss = forced.getString("possibleLoss");
      assertTrue(
          loss.matches(".*last write known applied at the new primary: write [1-9].*"),
          "the new primary says how far it got: " + loss);
      JsonObject view = describe(volume);
      JsonObject record = view.getJsonArray("switches").getJsonObject(0);
      assertTrue(record.getBoolean("forced"), "the forced takeover is recorded: " + view);
      assertEquals("seattle", record.getString("skippedMembers"));
    } finally {
      HttpResponse<String> up = send("PUT", "api/admin/sites/seattle", ADMIN, "{\"up\":true}");
      assertEquals(200, up.statusCode(), up.body());
    }
    // Coming back, seattle first learned the new primary: its storage agrees, its old export is
    // dead.
    JsonObject view = describe(volume);
    assertPrimaryEverywhere(volume, "portland", view.getJsonNumber("epoch").longValue());
    assertFalse(qemuWrite(first, 0x55).contains("wrote"), "the old primary's export is refused");
  }

  @Test
  void administrationNeedsTheAdminRole() throws Exception {
    assertError(401, "AUTHENTICATION_FAILED", send("GET", "api/admin/volumes", null, null));
    assertError(403, "FORBIDDEN", send("GET", "api/admin/volumes", user + ":" + PASSWORD, null));
    assertEquals(200, send("GET", "api/admin/volumes", ADMIN, null).statusCode());
    assertEquals(200, send("GET", "api/info", null, null).statusCode(), "info stays public");
  }

  @Test
  void provisioningAndDeletionReachEverySite() throws Exception {
    String volume = volume("ASYNC", "TAKE_OVER", 0, "portland", "sanfrancisco");
    JsonObject view = describe(volume);
    assertEquals(2, view.getJsonArray("members").size());
    assertEquals("MARK_OUT_OF_SYNC", view.getString("syncFailurePolicy"), view.toString());
    assertPrimaryEverywhere(volume, "portland", 1);
    String strict = volume + "-strict";
    JsonObject failWrites =
        Json.createObjectBuilder(json(spec(strict, "SYNC", "TAKE_OVER", 0, "seattle", "portland")))
            .add("syncFailurePolicy", "FAIL_WRITES")
            .build();
    assertEquals(201, send("POST", "api/admin/volumes", ADMIN, failWrites.toString()).statusCode());
    assertEquals("FAIL_WRITES", describe(strict).getString("syncFailurePolicy"));
    assertEquals(204, send("DELETE", "api/admin/volumes/" + strict, ADMIN, null).statusCode());

    assertError(
        409,
        "VOLUME_EXISTS",
        send("POST", "api/admin/volumes", ADMIN, spec(volume, "SYNC", "TAKE_OVER", 0, "seattle")));
    assertError(
        404,
        "UNKNOWN_DATA_CENTER",
        send(
            "POST",
            "api/admin/volumes",
            ADMIN,
            spec(volume + "-x", "SYNC", "TAKE_OVER", 0, "boise")));
    assertError(
        400,
        "VALIDATION_FAILED",
        send(
            "POST",
            "api/admin/volumes",
            ADMIN,
            spec(volume + "/x", "SYNC", "TAKE_OVER", 0, "seattle")));

    assertEquals(204, send("DELETE", "api/admin/volumes/" + volume, ADMIN, null).statusCode());
    assertError(404, "UNKNOWN_VOLUME", send("GET", "api/admin/volumes/" + volume, ADMIN, null));
    assertError(404, "UNKNOWN_VOLUME", login(volume, "seattle", false));
  }

  // --- helpers -------------------------------------------------------------------------------

  private String volume(String transfer, String policy, int minimumStay, String... sites)
      throws Exception {
    String name = "vol-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> created =
        send("POST", "api/admin/volumes", ADMIN, spec(name, transfer, policy, minimumStay, sites));
    assertEquals(201, created.statusCode(), created.body());
    return name;
  }

  private String spec(
      String name, String transfer, String policy, int minimumStay, String... sites) {
    var list = Json.createArrayBuilder();
    for (String s : sites) {
      list.add(s);
    }
    return Json.createObjectBuilder()
        .add("name", name)
        .add("owner", user)
        .add("sizeBytes", 16 * 1024 * 1024)
        .add("transferType", transfer)
        .add("takeoverPolicy", policy)
        .add("minimumStaySeconds", minimumStay)
        .add("sites", list)
        .build()
        .toString();
  }

  private HttpResponse<String> login(String volume, String via, boolean force) throws Exception {
    return send(
        "POST",
        "api/login",
        null,
        Json.createObjectBuilder()
            .add("user", user)
            .add("password", PASSWORD)
            .add("volume", volume)
            .add("networkInterface", via)
            .add("force", force)
            .build()
            .toString());
  }

  private HttpResponse<String> loginAs(String who, String password, String volume, String via)
      throws Exception {
    return send(
        "POST",
        "api/login",
        null,
        Json.createObjectBuilder()
            .add("user", who)
            .add("password", password)
            .add("volume", volume)
            .add("networkInterface", via)
            .build()
            .toString());
  }

  private JsonObject describe(String volume) throws Exception {
    return ok(send("GET", "api/admin/volumes/" + volume, ADMIN, null));
  }

  /** The directory and every member's storage control unit agree on the primary and epoch. */
  private void assertPrimaryEverywhere(String volume, String primary, long epoch) throws Exception {
    JsonObject view = describe(volume);
    assertEquals(epoch, view.getJsonNumber("epoch").longValue(), view.toString());
    for (JsonValue m : view.getJsonArray("members")) {
      JsonObject member = m.asJsonObject();
      assertEquals(
          primary.equals(member.getString("dataCenter")),
          member.getBoolean("primary"),
          view.toString());
      JsonObject storage = member.getJsonObject("storage");
      assertEquals(primary, storage.getString("primary", null), "storage at " + member);
      assertEquals(epoch, storage.getJsonNumber("epoch").longValue(), "epoch at " + member);
    }
  }

  private HttpResponse<String> send(String method, String path, String basic, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(root() + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (basic != null) {
      request.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String root() {
    String url = base.toString();
    return url.endsWith("/") ? url : url + "/";
  }

  private static JsonObject ok(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    return json(response.body());
  }

  private static void assertError(int status, String code, HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        code, json(response.body()).getJsonObject("error").getString("code"), response.body());
  }

  private static JsonObject json(String text) {
    try (JsonReader reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }

  private static String qemuWrite(String nbdUri, int pattern) throws Exception {
    return qemuIo(nbdUri, "write -P " + pattern + " 0 4k");
  }

  private static String qemuRead(String nbdUri, int pattern) throws Exception {
    return qemuIo(nbdUri, "read -P " + pattern + " 0 4k");
  }

  /** qemu-io as a real NBD client; returns everything it printed. */
  private static String qemuIo(String nbdUri, String command) throws Exception {
    Process p =
        new ProcessBuilder("qemu-io", "-f", "raw", nbdUri, "-c", command)
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "qemu-io finished");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** A subscriber on the directory's events topic, through the site broker the runtime uses. */
  private static final class Events implements AutoCloseable {
    private final ServerLocator locator;
    private final ClientSessionFactory factory;
    private final ClientSession session;
    private final ClientConsumer consumer;
    private final List<JsonObject> received = new ArrayList<>();

    Events() throws Exception {
      locator =
          ActiveMQClient.createServerLocator(
              "tcp://127.0.0.1:" + System.getProperty("it.broker.port"));
      factory = locator.createSessionFactory();
      // As an integrating system subscribes: its own user, which may only read the events.
      session =
          factory.createSession(
              "integration",
              TestBrokerSession.firstLine(TestBrokerSession.integrationPasswordFile()),
              false,
              true,
              true,
              false,
              0);
      String queue = "it.events." + UUID.randomUUID();
      session.createQueue(
          QueueConfiguration.of(queue)
              .setAddress("roamstore.events")
              .setRoutingType(RoutingType.MULTICAST)
              .setDurable(false)
              .setTemporary(true));
      consumer = session.createConsumer(queue);
      session.start();
    }

    /** Waits until, for each predicate, an event about the volume matches; returns those events. */
    @SafeVarargs
    final List<JsonObject> awaitAll(
        String volume, java.util.function.Predicate<JsonObject>... wanted) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                ClientMessage m = consumer.receive(500);
                if (m != null) {
                  received.add(json(m.getBodyBuffer().readNullableSimpleString().toString()));
                }
                List<JsonObject> mine = about(volume);
                for (var w : wanted) {
                  if (mine.stream().noneMatch(w)) {
                    return false;
                  }
                }
                return true;
              });
      return about(volume);
    }

    private List<JsonObject> about(String volume) {
      return received.stream().filter(e -> volume.equals(e.getString("volume", null))).toList();
    }

    @Override
    public void close() throws Exception {
      session.close();
      factory.close();
      locator.close();
    }
  }
}
