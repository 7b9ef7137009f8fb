package org.roamstore.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.runtime.GatewayClient.ADMIN;
import static org.roamstore.runtime.GatewayClient.PASSWORD;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.roamstore.storage.api.Destinations;

/**
 * Copies added to and dropped from a volume in use, through the admin REST API: the new copy is
 * filled while the volume is written over NBD, no login makes it primary before it is in sync, and
 * afterwards every copy holds the same bytes.
 */
@ExtendWith(ArquillianExtension.class)
class CopiesIT {

  @Deployment(testable = false)
  static WebArchive gateway() {
    return ShrinkWrap.createFromZipFile(
        WebArchive.class, new File(System.getProperty("roamstore.dist"), "web-gateway.war"));
  }

  @ArquillianResource private URL base;

  private GatewayClient gateway;
  private String user;

  @BeforeEach
  void aFreshUser() throws Exception {
    gateway = new GatewayClient(base);
    user = gateway.newUser();
  }

  /**
   * San Francisco's write data subscription is paused at the broker while the copy is added, so the
   * copy is certainly still copying when a user near it logs in: deterministic, not a race.
   */
  @Test
  void aCopyAddedInUseIsFilledNeverChosenBeforeItIsInSyncAndCanBeDroppedAgain() throws Exception {
    String volume = gateway.newVolume(user, "ASYNC", "portland", "seattle");
    String nbd = gateway.login(user, volume, "eugene").getJsonObject("nbd").getString("uri");
    assertTrue(RealClients.qemuIo(nbd, "write -P 0x5a 0 1M").contains("wrote 1048576/1048576"));
    assertTrue(RealClients.qemuIo(nbd, "write -P 0x6b 8M 256k").contains("wrote 262144/262144"));

    try (PausedQueue sf =
        PausedQueue.pause(
            Destinations.subscription(Destinations.REPLICATION_DATA, "sanfrancisco"))) {
      HttpResponse<String> added = addCopy(volume, "{\"site\": \"sanfrancisco\"}");
      assertEquals(201, added.statusCode(), added.body());
      JsonObject copy = member(GatewayClient.json(added.body()), "sanfrancisco");
      assertTrue(copy.getBoolean("copying"), copy.toString());
      assertFalse(copy.getBoolean("primary"), copy.toString());
      assertTrue(
          RealClients.qemuIo(nbd, "write -P 0x7c 4M 512k").contains("wrote 524288/524288"),
          "the volume is written while the copy is made");

      // Nearest to San Jose is San Francisco, but its copy is incomplete: Portland serves.
      JsonObject nearSf = gateway.login(user, volume, "sanjose");
      assertEquals("portland", nearSf.getJsonObject("dataCenter").getString("name"), "" + nearSf);
      assertEquals("AT_PRIMARY", nearSf.getString("outcome"), nearSf.toString());
      assertTrue(member(describe(volume), "sanfrancisco").getBoolean("copying"));
      HttpResponse<String> status = gateway.send("GET", "api/status/" + volume, ADMIN, null);
      assertEquals(200, status.statusCode(), status.body());
      assertTrue(
          member(GatewayClient.json(status.body()), "sanfrancisco").getBoolean("copying"),
          status.body());
    }

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !member(describe(volume), "sanfrancisco").getBoolean("copying"));
    JsonObject inSync = event(volume, "COPY_IN_SYNC");
    assertEquals("sanfrancisco", inSync.getString("dataCenter"), inSync.toString());
    assertEquals(
        describe(volume).getJsonNumber("sizeBytes").longValue(),
        inSync.getJsonNumber("verifiedBytes").longValue(),
        "the copy counts as complete only after a verify compared every byte: " + inSync);
    verifiedWithoutDifference(volume);
    sameFiles(volume, List.of("portland", "seattle", "sanfrancisco"), 4 << 20, 0x7c);

    // Complete now: a login near it makes it primary, and it has every byte.
    JsonObject moved = gateway.login(user, volume, "sanjose");
    assertEquals("sanfrancisco", moved.getJsonObject("dataCenter").getString("name"), "" + moved);
    String atSf = moved.getJsonObject("nbd").getString("uri");
    assertTrue(RealClients.qemuIo(atSf, "read -P 0x5a 0 1M").contains("read 1048576/1048576"));
    assertTrue(RealClients.qemuIo(atSf, "read -P 0x7c 4M 512k").contains("read 524288/524288"));
    assertTrue(RealClients.qemuIo(atSf, "read -P 0x6b 8M 256k").contains("read 262144/262144"));

    Path seattleFile = gateway.volumeFile(volume, "seattle");
    HttpResponse<String> dropped =
        gateway.send("DELETE", "api/admin/volumes/" + volume + "/copies/seattle", ADMIN, null);
    assertEquals(204, dropped.statusCode(), dropped.body());
    assertEquals(List.of("portland", "sanfrancisco"), sites(describe(volume)));
    assertFalse(Files.exists(seattleFile), "the dropped copy's real volume is deleted");
    assertTrue(RealClients.qemuIo(atSf, "write -P 0x11 0 64k").contains("wrote 65536/65536"));

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                historyTypes(volume)
                    .containsAll(List.of("COPY_ADDED", "COPY_IN_SYNC", "COPY_DROPPED")));
  }

  /**
   * The primary moves between two complete copies while a third is still copying: the login's
   * switch starts while San Francisco's write data is paused, so the copy cannot be done yet. The
   * new primary must finish the copy: nothing the old one had still to send may be lost.
   */
  @Test
  void aSwitchWhileACopyIsCopyingLeavesTheNewPrimaryToFinishIt() throws Exception {
    String volume = gateway.newVolume(user, "ASYNC", "portland", "seattle");
    String nbd = gateway.login(user, volume, "eugene").getJsonObject("nbd").getString("uri");
    assertTrue(RealClients.qemuIo(nbd, "write -P 0x21 0 2M").contains("wrote 2097152/2097152"));

    ExecutorService login = Executors.newSingleThreadExecutor();
    try (PausedQueue sf =
        PausedQueue.pause(
            Destinations.subscription(Destinations.REPLICATION_DATA, "sanfrancisco"))) {
      assertEquals(201, addCopy(volume, "{\"site\": \"sanfrancisco\"}").statusCode());
      assertTrue(RealClients.qemuIo(nbd, "write -P 0x42 6M 1M").contains("wrote 1048576/1048576"));
      Future<JsonObject> fromTacoma = login.submit(() -> gateway.login(user, volume, "tacoma"));
      // Give the switch time to reach its drain while the copy cannot progress.
      Thread.sleep(2000);
      sf.resume();
      JsonObject switched = fromTacoma.get(90, TimeUnit.SECONDS);
      assertEquals(
          "seattle", switched.getJsonObject("dataCenter").getString("name"), "" + switched);
    } finally {
      login.shutdownNow();
    }
    String atSeattle = gateway.login(user, volume, "tacoma").getJsonObject("nbd").getString("uri");
    assertTrue(
        RealClients.qemuIo(atSeattle, "write -P 0x63 12M 512k").contains("wrote 524288/524288"));

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !member(describe(volume), "sanfrancisco").getBoolean("copying"));
    verifiedWithoutDifference(volume);
    sameFiles(volume, List.of("seattle", "portland", "sanfrancisco"), 6 << 20, 0x42);
    // The login asked Portland before it switched, while the copy could not be done: so it was
    // the new primary that reported the copy complete.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> historyTypes(volume).contains("COPY_IN_SYNC"));
    JsonObject inSync =
        history(volume).stream()
            .filter(e -> e.getString("type").equals("COPY_IN_SYNC"))
            .findFirst()
            .orElseThrow();
    assertEquals("seattle", inSync.getString("primary"), inSync.toString());
  }

  /**
   * A move adds the new copy and drops the old one only once the new one is complete: while San
   * Francisco's write data is paused, Seattle's copy stays.
   */
  @Test
  void aMovedCopyIsDroppedOnlyOnceItsReplacementIsComplete() throws Exception {
    String volume = gateway.newVolume(user, "ASYNC", "portland", "seattle");
    String nbd = gateway.login(user, volume, "eugene").getJsonObject("nbd").getString("uri");
    assertTrue(RealClients.qemuIo(nbd, "write -P 0x3d 0 2M").contains("wrote 2097152/2097152"));
    Path seattleFile = gateway.volumeFile(volume, "seattle");

    try (PausedQueue sf =
        PausedQueue.pause(
            Destinations.subscription(Destinations.REPLICATION_DATA, "sanfrancisco"))) {
      HttpResponse<String> moved =
          addCopy(volume, "{\"site\": \"sanfrancisco\", \"replaces\": \"seattle\"}");
      assertEquals(201, moved.statusCode(), moved.body());
      JsonObject copy = member(GatewayClient.json(moved.body()), "sanfrancisco");
      assertEquals("seattle", copy.getString("replaces"), copy.toString());
      assertTrue(RealClients.qemuIo(nbd, "write -P 0x4e 3M 1M").contains("wrote 1048576/1048576"));
      Thread.sleep(1500); // the copy watch looks every second: it must not drop Seattle yet
      assertEquals(List.of("portland", "seattle", "sanfrancisco"), sites(describe(volume)));
      assertTrue(Files.exists(seattleFile), "the old copy stays until the new one is complete");
    }

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> sites(describe(volume)).equals(List.of("portland", "sanfrancisco")));
    assertFalse(member(describe(volume), "sanfrancisco").getBoolean("copying"));
    assertFalse(Files.exists(seattleFile), "the replaced copy's real volume is deleted");
    sameFiles(volume, List.of("portland", "sanfrancisco"), 3 << 20, 0x4e);
    JsonObject done = event(volume, "COPY_MOVED");
    assertEquals("seattle", done.getString("from"), done.toString());
    assertEquals("sanfrancisco", done.getString("to"), done.toString());
    assertEquals("sanfrancisco", event(volume, "COPY_DROPPED").getString("movedTo"));
  }

  @Test
  void badCopyRequestsAreRefusedWithJsonAndChangeNothing() throws Exception {
    String volume = gateway.newVolume(user, "SYNC", "seattle", "portland");
    String alone = gateway.newVolume(user, "SYNC", "seattle");
    String copies = "api/admin/volumes/" + volume + "/copies";

    error(401, "AUTHENTICATION_FAILED", gateway.send("POST", copies, null, "{\"site\": \"x\"}"));
    error(
        403, "FORBIDDEN", gateway.send("POST", copies, user + ":" + PASSWORD, "{\"site\": \"x\"}"));
    error(404, "UNKNOWN_VOLUME", addCopy("no-such-volume", "{\"site\": \"sanfrancisco\"}"));
    error(404, "UNKNOWN_DATA_CENTER", addCopy(volume, "{\"site\": \"atlantis\"}"));
    error(409, "COPY_EXISTS", addCopy(volume, "{\"site\": \"portland\"}"));
    error(
        409,
        "COPY_IS_PRIMARY",
        addCopy(volume, "{\"site\": \"sanfrancisco\", \"replaces\": \"seattle\"}"));
    error(
        404,
        "NO_COPY_THERE",
        addCopy(volume, "{\"site\": \"sanfrancisco\", \"replaces\": \"sanfrancisco\"}"));
    error(
        404,
        "UNKNOWN_DATA_CENTER",
        addCopy(volume, "{\"site\": \"sanfrancisco\", \"replaces\": \"atlantis\"}"));
    for (String malformed :
        List.of(
            "{\"site\": \"sanfr",
            "[\"sanfrancisco\"]",
            "{\"site\": [\"sanfrancisco\"]}",
            "{\"site\": {\"name\": \"sanfrancisco\"}}",
            "\"sanfrancisco\"")) {
      error(400, "MALFORMED_REQUEST", addCopy(volume, malformed));
    }
    for (String invalid :
        List.of("{}", "{\"site\": \"\"}", "{\"site\": \"" + "x".repeat(500) + "\"}")) {
      error(400, "VALIDATION_FAILED", addCopy(volume, invalid));
    }

    drop(409, "COPY_IS_PRIMARY", volume, "seattle");
    drop(409, "LAST_COPY", alone, "seattle");
    drop(404, "NO_COPY_THERE", volume, "sanfrancisco");
    drop(404, "UNKNOWN_DATA_CENTER", volume, "atlantis");
    drop(404, "UNKNOWN_VOLUME", "no-such-volume", "portland");

    assertEquals(
        200,
        gateway.send("PUT", "api/admin/sites/sanfrancisco", ADMIN, "{\"up\": false}").statusCode());
    try {
      error(503, "SITE_UNAVAILABLE", addCopy(volume, "{\"site\": \"sanfrancisco\"}"));
    } finally {
      assertEquals(
          200,
          gateway
              .send("PUT", "api/admin/sites/sanfrancisco", ADMIN, "{\"up\": true}")
              .statusCode());
    }

    JsonObject after = describe(volume);
    assertEquals(List.of("seattle", "portland"), sites(after), after.toString());
    for (JsonValue m : after.getJsonArray("members")) {
      assertFalse(m.asJsonObject().getBoolean("copying"), m.toString());
      assertEquals(1, m.asJsonObject().getJsonObject("storage").getInt("epoch"), m.toString());
    }
    assertEquals(List.of("seattle"), sites(describe(alone)));
    assertTrue(historyTypes(volume).stream().noneMatch(t -> t.startsWith("COPY_")));
  }

  /**
   * Placement on, at most 2 copies, a copy after 3 logins: a user near San Jose (nearest data
   * center San Francisco, which holds no copy) makes the policy add a copy there; once it is
   * complete, the third copy is one too many and the one farthest from the logins (Seattle) goes at
   * once, without another login, never the primary.
   */
  @Test
  void thePlacementPolicyAddsACopyWhereLoginsComeFromAndDropsTheFarthest() throws Exception {
    String volume = gateway.newVolume(user, "ASYNC", "seattle", "portland");
    JsonObject set =
        setPlacement(volume, "{\"mode\": \"on\", \"maxCopies\": 2, \"addAfterLogins\": 3}");
    assertEquals("on", set.getString("mode"), set.toString());
    String nbd = gateway.login(user, volume, "tacoma").getJsonObject("nbd").getString("uri");
    assertTrue(RealClients.qemuIo(nbd, "write -P 0x5a 0 1M").contains("wrote 1048576/1048576"));
    assertTrue(RealClients.qemuIo(nbd, "write -P 0x6b 8M 256k").contains("wrote 262144/262144"));

    for (int i = 0; i < 3; i++) {
      gateway.login(user, volume, "sanjose");
    }
    event(volume, "COPY_ADDED");
    JsonObject add = event(volume, "PLACEMENT_ADD");
    assertEquals("sanfrancisco", add.getString("dataCenter"), add.toString());
    assertEquals("on", add.getString("mode"), add.toString());
    assertEquals(
        "3 of the last 3 logins nearest to sanfrancisco, which holds no copy",
        add.getString("reason"));
    assertTrue(
        historyTypes(volume).indexOf("COPY_ADDED") < historyTypes(volume).indexOf("PLACEMENT_ADD"),
        "PLACEMENT_ADD first, then COPY_ADDED (newest first)");
    assertEquals("sanfrancisco", event(volume, "COPY_ADDED").getString("dataCenter"));

    // Once the copy is complete (copied, then verified), the third copy is one too many: the policy
    // decides again at once, no login needed, and drops the copy farthest from the logins.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> historyTypes(volume).contains("COPY_DROPPED"));
    JsonObject drop = event(volume, "PLACEMENT_DROP");
    assertEquals("seattle", drop.getString("dataCenter"), drop.toString());
    assertEquals("on", drop.getString("mode"), drop.toString());
    assertTrue(drop.getString("reason").startsWith("3 copies, at most 2: the copy at seattle"));
    assertEquals("seattle", event(volume, "COPY_DROPPED").getString("dataCenter"));
    assertTrue(
        historyTypes(volume).indexOf("COPY_IN_SYNC") > historyTypes(volume).indexOf("COPY_DROPPED"),
        "dropped only after the added copy was complete (newest first): " + historyTypes(volume));
    JsonObject after = describe(volume);
    assertEquals(List.of("portland", "sanfrancisco"), sites(after), after.toString());
    assertFalse(member(after, "sanfrancisco").getBoolean("copying"), after.toString());
    sameFiles(volume, List.of("portland", "sanfrancisco"), 8 << 20, 0x6b);
    JsonObject placement = status(volume).getJsonObject("placement");
    assertEquals("on", placement.getString("mode"), placement.toString());
    assertEquals(3, placement.getJsonObject("recentNearest").getInt("sanfrancisco"));
    assertEquals("NONE", placement.getJsonObject("next").getString("action"), placement.toString());

    // The next login near it makes it primary, with every byte.
    JsonObject atSf = gateway.login(user, volume, "sanjose");
    assertEquals("sanfrancisco", atSf.getJsonObject("dataCenter").getString("name"), "" + atSf);
    assertTrue(member(describe(volume), "sanfrancisco").getBoolean("primary"));
    String sf = atSf.getJsonObject("nbd").getString("uri");
    assertTrue(RealClients.qemuIo(sf, "read -P 0x5a 0 1M").contains("read 1048576/1048576"));
    assertTrue(RealClients.qemuIo(sf, "read -P 0x6b 8M 256k").contains("read 262144/262144"));
    assertFalse(historyTypes(volume).contains("PLACEMENT_FAILED"), "" + history(volume));
  }

  /** In a dry run the policy says what it would do, and does nothing. */
  @Test
  void aDryRunOnlyAnnouncesWhatThePlacementPolicyWouldDo() throws Exception {
    String volume = gateway.newVolume(user, "ASYNC", "seattle", "portland");
    setPlacement(volume, "{\"mode\": \"dry-run\", \"maxCopies\": 2, \"addAfterLogins\": 2}");
    gateway.login(user, volume, "sanjose");
    gateway.login(user, volume, "sanjose");
    event(volume, "PLACEMENT_DROP");
    JsonObject add = event(volume, "PLACEMENT_ADD");
    assertEquals("sanfrancisco", add.getString("dataCenter"), add.toString());
    assertEquals("dry-run", add.getString("mode"), add.toString());
    JsonObject drop = event(volume, "PLACEMENT_DROP");
    assertEquals("seattle", drop.getString("dataCenter"), drop.toString());
    assertEquals("dry-run", drop.getString("mode"), drop.toString());
    assertEquals(List.of("seattle", "portland"), sites(describe(volume)));
    assertTrue(historyTypes(volume).stream().noneMatch(t -> t.startsWith("COPY_")));
    JsonObject view = placement(volume);
    assertEquals("ADD", view.getJsonObject("next").getString("action"), view.toString());
  }

  @Test
  void badPlacementSettingsAreRefusedAndChangeNothing() throws Exception {
    String volume = gateway.newVolume(user, "SYNC", "seattle", "portland");
    String path = "api/admin/volumes/" + volume + "/placement";
    String good = "{\"mode\": \"dry-run\", \"maxCopies\": 3, \"addAfterLogins\": 4}";
    setPlacement(volume, good);
    JsonObject before = placement(volume);

    error(401, "AUTHENTICATION_FAILED", gateway.send("PUT", path, null, good));
    error(403, "FORBIDDEN", gateway.send("PUT", path, user + ":" + PASSWORD, good));
    error(
        404,
        "UNKNOWN_VOLUME",
        gateway.send("PUT", "api/admin/volumes/no-such-volume/placement", ADMIN, good));
    for (String malformed :
        List.of(
            "{\"mode\": \"on\", \"maxCopies\": 2",
            "[\"on\"]",
            "{\"mode\": [\"on\"], \"maxCopies\": 2, \"addAfterLogins\": 3}",
            "{\"mode\": \"on\", \"maxCopies\": \"two\", \"addAfterLogins\": 3}")) {
      error(400, "MALFORMED_REQUEST", gateway.send("PUT", path, ADMIN, malformed));
    }
    for (String invalid :
        List.of(
            "null",
            "{}",
            "{\"mode\": \"always\", \"maxCopies\": 2, \"addAfterLogins\": 3}",
            "{\"mode\": \"on\"}",
            "{\"mode\": \"on\", \"maxCopies\": 0, \"addAfterLogins\": 3}",
            "{\"mode\": \"on\", \"maxCopies\": 2, \"addAfterLogins\": 0}",
            "{\"mode\": \"on\", \"maxCopies\": 2, \"addAfterLogins\": 3,"
                + " \"addAfterStayMinutes\": 0}",
            "{\"mode\": \"on\", \"maxCopies\": -1, \"addAfterLogins\": 3}",
            "{\"mode\": \"on\", \"maxCopies\": 2, \"addAfterLogins\": 100000}",
            "{\"mode\": \"on\", \"maxCopies\": 2.5, \"addAfterLogins\": 3}",
            // Beyond an int: refused, not wrapped around to 2.
            "{\"mode\": \"on\", \"maxCopies\": 4294967298, \"addAfterLogins\": 3}",
            "{\"mode\": \"on\", \"maxCopies\": 1e999999999, \"addAfterLogins\": 3}")) {
      error(400, "VALIDATION_FAILED", gateway.send("PUT", path, ADMIN, invalid));
    }
    assertEquals(before, placement(volume));
    event(volume, "PLACEMENT_SET");
    assertEquals(
        1,
        historyTypes(volume).stream().filter(t -> t.equals("PLACEMENT_SET")).count(),
        "only the good setting was announced");
  }

  // --- helpers -------------------------------------------------------------------------------

  private JsonObject setPlacement(String volume, String body) throws Exception {
    HttpResponse<String> r =
        gateway.send("PUT", "api/admin/volumes/" + volume + "/placement", ADMIN, body);
    assertEquals(200, r.statusCode(), r.body());
    return GatewayClient.json(r.body());
  }

  private JsonObject placement(String volume) throws Exception {
    HttpResponse<String> r =
        gateway.send("GET", "api/admin/volumes/" + volume + "/placement", ADMIN, null);
    assertEquals(200, r.statusCode(), r.body());
    return GatewayClient.json(r.body());
  }

  /** The volume's copy group in /api/status. */
  private JsonObject status(String volume) throws Exception {
    HttpResponse<String> r = gateway.send("GET", "api/status/" + volume, ADMIN, null);
    assertEquals(200, r.statusCode(), r.body());
    return GatewayClient.json(r.body());
  }

  private HttpResponse<String> addCopy(String volume, String body) throws Exception {
    return gateway.send("POST", "api/admin/volumes/" + volume + "/copies", ADMIN, body);
  }

  private void drop(int status, String code, String volume, String site) throws Exception {
    error(
        status,
        code,
        gateway.send("DELETE", "api/admin/volumes/" + volume + "/copies/" + site, ADMIN, null));
  }

  /** The directory's view with storage asked (which also clears a copy's mark once in sync). */
  private JsonObject describe(String volume) throws Exception {
    return gateway.volumeView(volume);
  }

  private static JsonObject member(JsonObject view, String dataCenter) {
    return view.getJsonArray("members").stream()
        .map(JsonValue::asJsonObject)
        .filter(m -> m.getString("dataCenter").equals(dataCenter))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no member at " + dataCenter + ": " + view));
  }

  private static List<String> sites(JsonObject view) {
    return view.getJsonArray("members").stream()
        .map(m -> m.asJsonObject().getString("dataCenter"))
        .toList();
  }

  /** An online verify of every secondary, without repair, finds no difference. */
  private void verifiedWithoutDifference(String volume) throws Exception {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                gateway
                        .send(
                            "POST",
                            "api/volumes/" + volume + "/verify",
                            ADMIN,
                            "{\"repair\": false}")
                        .statusCode()
                    == 202);
    gateway.awaitVerifyEnd(volume);
    for (JsonObject secondary : gateway.secondaries(volume)) {
      JsonObject verify = secondary.getJsonObject("lag").getJsonObject("verify");
      assertEquals("NO_DIFFERENCE", verify.getString("outcome"), secondary.toString());
    }
  }

  /** The real volume files hold the same bytes, once every cache has written its pages out. */
  private void sameFiles(String volume, List<String> dataCenters, int offset, int written)
      throws Exception {
    Map<String, Path> files =
        dataCenters.stream()
            .collect(
                Collectors.toMap(
                    d -> d,
                    d -> {
                      try {
                        return gateway.volumeFile(volume, d);
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    }));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              byte[] primary = Files.readAllBytes(files.get(dataCenters.get(0)));
              assertEquals(written, primary[offset] & 0xff, "written while copying");
              for (String d : dataCenters.subList(1, dataCenters.size())) {
                assertArrayEquals(primary, Files.readAllBytes(files.get(d)), d + "'s file");
              }
            });
  }

  /** The volume's events the gateway has seen, newest first. */
  private List<JsonObject> history(String volume) throws Exception {
    HttpResponse<String> r = gateway.send("GET", "api/history?volume=" + volume, ADMIN, null);
    assertEquals(200, r.statusCode(), r.body());
    return GatewayClient.json(r.body()).getJsonArray("events").stream()
        .map(JsonValue::asJsonObject)
        .toList();
  }

  /** The volume's newest event of a type, waited for (the gateway sees events shortly after). */
  private JsonObject event(String volume, String type) throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> historyTypes(volume).contains(type));
    return history(volume).stream()
        .filter(e -> e.getString("type").equals(type))
        .findFirst()
        .orElseThrow();
  }

  private List<String> historyTypes(String volume) throws Exception {
    return history(volume).stream().map(e -> e.getString("type")).toList();
  }

  private static JsonObject error(int status, String code, HttpResponse<String> r) {
    return GatewayClient.assertError(status, code, r.statusCode(), r.body());
  }
}
