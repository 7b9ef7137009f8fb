package org.roamstore.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/**
 * The demo system as a client sees it on a full server, the same on every server: the gateway
 * answers, a login over REST moves a primary, qemu-io writes and reads through NBD, and the
 * secondaries' volume files hold the data.
 */
final class DemoSystemCheck {
  private static final String ADMIN = "admin:roamstore-admin";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final int httpPort;
  private final Path data;

  /** The gateway at {@code httpPort} on loopback; the storage units' files under {@code data}. */
  DemoSystemCheck(int httpPort, Path data) {
    this.httpPort = httpPort;
    this.data = data;
  }

  void gatewayAnswers() throws Exception {
    HttpResponse<String> info = send("GET", "/api/info", null, null);
    assertEquals(200, info.statusCode(), info.body());
    assertTrue(info.body().contains("\"installation\""), info.body());
  }

  /**
   * From Eugene, the nearest of alice-disk's data centers is Portland: a login makes its copy
   * primary (the demo volume exists once the storage pools do: the directory retries every 10 s).
   * alice-disk is SYNC: after qemu-io's flush, the data is on every secondary's disk.
   */
  void aLoginMovesThePrimaryAndNbdWritesReachTheSecondaries() throws Exception {
    String login =
        Json.createObjectBuilder()
            .add("user", "alice")
            .add("password", "alice-roams")
            .add("volume", "alice-disk")
            .add("networkInterface", "eugene")
            .build()
            .toString();
    AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
    Awaitility.await("alice-disk is made and a login succeeds")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              answer.set(send("POST", "/api/login", null, login));
              return answer.get().statusCode() == 200;
            });
    JsonObject granted = json(answer.get().body());
    assertEquals(
        "portland", granted.getJsonObject("dataCenter").getString("name"), granted.toString());
    String uri = granted.getJsonObject("nbd").getString("uri");

    String io = qemuIo(uri, "write -P 0x5a 65536 65536", "flush", "read -P 0x5a 65536 65536");
    assertTrue(io.contains("read 65536/65536 bytes"), io);

    HttpResponse<String> volume = send("GET", "/api/admin/volumes/alice-disk", ADMIN, null);
    assertEquals(200, volume.statusCode(), volume.body());
    String storageId = json(volume.body()).getString("storageId");
    for (String secondary : List.of("seattle", "sanfrancisco")) {
      Path file = data.resolve("storage/" + secondary + "/volumes/" + storageId + ".vol");
      byte[] expected = new byte[65536];
      Arrays.fill(expected, (byte) 0x5a);
      Awaitility.await(secondary + "'s volume file holds the write")
          .atMost(Duration.ofSeconds(30))
          .until(() -> Arrays.equals(expected, read(file, 65536, 65536)));
    }
  }

  HttpResponse<String> send(String method, String path, String basic, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
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
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] read(Path file, long offset, int length) throws IOException {
    if (!Files.exists(file)) {
      return new byte[0];
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] bytes = new byte[length];
      f.seek(offset);
      f.readFully(bytes);
      return bytes;
    }
  }

  private static String qemuIo(String uri, String... commands) throws Exception {
    List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
    for (String c : commands) {
      command.add("-c");
      command.add(c);
    }
    command.add(uri);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("qemu-io is missing: apt-get install qemu-utils", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "qemu-io finishes");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  static JsonObject json(String text) {
    try (JsonReader reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }
}
