package org.roamstore.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.runtime.GatewayClient.ADMIN;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input stays cheap, through the real entry point: README's run command (its Payara Micro
 * writes data/logs/payara.log, the log an operator reads), a real HTTP client. JSON nested a
 * thousand deep and names of 10 MiB get a 4xx JSON error from every endpoint that takes a body, the
 * error names the field where there is one, nothing changes, and the server log grows by at most a
 * short line per refused request, none carrying more than a clipped piece of what was sent.
 */
class HostileInputIT {
  private static final int MIB_10 = 10 << 20;

  /** The most of one client value a log line may carry (Clipped.MESSAGE_LIMIT in the directory). */
  private static final int CLIPPED = 1000;

  private static RunCommand running;
  private static GatewayClient gateway;
  private static Path log;

  @BeforeAll
  static void start() throws Exception {
    Path data = Path.of(System.getProperty("it.data") + "-hostile");
    running = RunCommand.start(data, freePort(), freePort(), 1);
    gateway = new GatewayClient(new URL(running.url));
    log = data.resolve("logs").resolve("payara.log");
  }

  @AfterAll
  static void stop() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void jsonNestedAThousandDeepGetsAJsonErrorFromEveryEndpoint() throws Exception {
    String user = gateway.newUser();
    JsonObject before = state();
    long start = Files.size(log);
    List<Probe> probes = new ArrayList<>();
    for (String nested : List.of(objects(1000), arrays(1000), objects(5000), arrays(5000))) {
      probes.add(new Probe("POST", "api/login", null, nested));
      probes.add(
          new Probe(
              "POST",
              "api/login",
              null,
              "{\"user\":\"" + user + "\",\"password\":\"x\",\"volume\":" + nested + "}"));
      probes.add(new Probe("POST", "api/admin/volumes", ADMIN, nested));
      probes.add(new Probe("POST", "api/admin/volumes", ADMIN, "{\"name\":" + nested + "}"));
      probes.add(new Probe("POST", "api/admin/users", ADMIN, nested));
      probes.add(new Probe("PUT", "api/admin/sites/seattle", ADMIN, "{\"up\":" + nested + "}"));
      probes.add(new Probe("POST", "api/admin/volumes/bob-disk/copies", ADMIN, nested));
      probes.add(
          new Probe(
              "POST", "api/admin/volumes/bob-disk/copies", ADMIN, "{\"site\":" + nested + "}"));
    }
    probes.add(new Probe("POST", "api/volumes/alice-disk/verify", ADMIN, arrays(1500)));
    probes.add(
        new Probe(
            "POST", "api/volumes/alice-disk/verify", ADMIN, "{\"repair\":" + arrays(1500) + "}"));
    for (Probe p : probes) {
      HttpResponse<String> r = gateway.send(p.method, p.path, p.basic, p.body);
      refusedWithJson(p, r);
    }
    logStaysShort(start, probes.size(), 'a');
    assertEquals(before, state(), "no refused request changed anything");
  }

  @Test
  void namesOfTenMebibytesAreRefusedNamingTheFieldAndLogNothingOfThem() throws Exception {
    String user = gateway.newUser();
    String huge = "v".repeat(MIB_10);
    JsonObject before = state();
    long start = Files.size(log);
    List<Probe> probes =
        List.of(
            login("volume", user, "it-password-1", huge, null),
            login("user", huge, "it-password-1", "alice-disk", null),
            login("password", user, huge, "alice-disk", null),
            login("networkInterface", "alice", "alice-roams", "alice-disk", huge),
            login("password", "alice", null, "alice-disk", null),
            new Probe(
                "name",
                "POST",
                "api/admin/volumes",
                ADMIN,
                "{\"name\":\""
                    + huge
                    + "\",\"owner\":\"alice\",\"sizeBytes\":4096,"
                    + "\"sites\":[\"seattle\"]}"),
            new Probe(
                "site",
                "POST",
                "api/admin/volumes/bob-disk/copies",
                ADMIN,
                "{\"site\":\"" + huge + "\"}"),
            new Probe(
                "sites",
                "POST",
                "api/admin/volumes",
                ADMIN,
                "{\"name\":\"hostile-1\",\"owner\":\"alice\",\"sizeBytes\":4096,"
                    + "\"sites\":[\""
                    + huge
                    + "\"]}"),
            new Probe(
                "transferType",
                "POST",
                "api/admin/volumes",
                ADMIN,
                "{\"name\":\"hostile-2\",\"owner\":\"alice\",\"sizeBytes\":4096,"
                    + "\"sites\":[\"seattle\"],\"transferType\":\""
                    + huge
                    + "\"}"),
            new Probe(
                "name",
                "POST",
                "api/admin/users",
                ADMIN,
                "{\"name\":\"" + huge + "\",\"password\":\"it-password-1\"}"),
            new Probe(
                "password",
                "POST",
                "api/admin/users",
                ADMIN,
                "{\"name\":\"hostile-user\",\"password\":\"" + huge + "\"}"));
    for (Probe p : probes) {
      HttpResponse<String> r = gateway.send(p.method, p.path, p.basic, p.body);
      JsonObject error = refusedWithJson(p, r);
      assertEquals(400, r.statusCode(), p + ": " + clip(r.body()));
      assertTrue(
          error.getJsonObject("details").keySet().stream()
              .anyMatch(k -> k.equals(p.field) || k.startsWith(p.field + "[")),
          p + " names the field: " + clip(r.body()));
      assertTrue(r.body().length() < 4096, p + " answers a short error: " + clip(r.body()));
    }
    // The sign-in page's form: refused before its fields are read, not Payara's 500 page.
    HttpResponse<String> form =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(running.url + "login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("user=" + huge + "&password=x"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(413, form.statusCode(), clip(form.body()));
    logStaysShort(start, probes.size() + 1, 'v');
    assertEquals(before, state(), "no refused request changed anything");
  }

  /** The 4xx JSON error; the body is read as JSON to prove it is not Payara's HTML page. */
  private static JsonObject refusedWithJson(Probe p, HttpResponse<String> r) {
    assertTrue(
        r.statusCode() >= 400 && r.statusCode() < 500,
        p + " answered " + r.statusCode() + ": " + clip(r.body()));
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        p + ": " + clip(r.body()));
    return GatewayClient.json(r.body()).getJsonObject("error");
  }

  /**
   * What the log gained since {@code start}, once it stops growing: at most a line per refused
   * request, none long, and no run of the hostile character longer than a clipped piece.
   */
  private static void logStaysShort(long start, int requests, char hostile) throws Exception {
    AtomicLong last = new AtomicLong(-1);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              long now = Files.size(log);
              return last.getAndSet(now) == now;
            });
    String added = tail(start);
    List<String> lines = added.lines().toList();
    System.out.printf(
        "HostileInputIT: %d refused requests grew payara.log by %d bytes, %d lines%n",
        requests, added.length(), lines.size());
    assertTrue(lines.size() <= requests, "at most a line per refused request:\n" + clip(added));
    for (String line : lines) {
      assertTrue(line.length() <= 2 * CLIPPED, "a short line: " + clip(line));
    }
    Matcher run =
        Pattern.compile(Pattern.quote(String.valueOf(hostile)) + "{" + (CLIPPED + 1) + ",}")
            .matcher(added);
    assertTrue(!run.find(), "no more than a clipped piece of what was sent");
  }

  private static String tail(long from) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(log)) {
      long size = channel.size();
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) (size - from));
      channel.position(from);
      while (bytes.hasRemaining() && channel.read(bytes) > 0) {
        // reads to the end
      }
      return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
    }
  }

  /** Everything a refused request could have changed: volumes (primaries, epochs), users, sites. */
  private static JsonObject state() throws Exception {
    return Json.createObjectBuilder()
        .add("volumes", ok(gateway.send("GET", "api/admin/volumes", ADMIN, null)))
        .add("users", ok(gateway.send("GET", "api/admin/users", ADMIN, null)))
        .add("sites", ok(gateway.send("GET", "api/sites", null, null)))
        .build();
  }

  private static JsonObject ok(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return GatewayClient.json(r.body());
  }

  private static Probe login(
      String field, String user, String password, String volume, String via) {
    var body = Json.createObjectBuilder().add("user", user).add("volume", volume);
    if (password != null) {
      body.add("password", password);
    }
    if (via != null) {
      body.add("networkInterface", via);
    }
    return new Probe(field, "POST", "api/login", null, body.build().toString());
  }

  private static String objects(int depth) {
    return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
  }

  private static String arrays(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  private static String clip(String text) {
    return text.length() <= 2000 ? text : text.substring(0, 2000) + "...";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** One hostile request; {@code field} is the one its refusal must name (null: none to name). */
  private record Probe(String field, String method, String path, String basic, String body) {
    Probe(String method, String path, String basic, String body) {
      this(null, method, path, basic, body);
    }

    @Override
    public String toString() {
      return method
          + " "
          + path
          + " ("
          + body.length()
          + " characters"
          + (field == null ? "" : ", field " + field)
          + ")";
    }
  }
}
