package org.roamstore.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A black-box client of the gateway for the integration tests: plain HTTP against the deployed WAR,
 * or HTTPS trusting one CA, always at 127.0.0.1 (the demo topology maps loopback to the Seattle
 * network interface; a client at ::1 would match none).
 */
final class GatewayClient {
  static final String ADMIN = "admin:roamstore-admin"; // from demo-topology.json
  static final String PASSWORD = "it-password-1";

  private final String root;
  private final String server;
  private final HttpClient http;

  GatewayClient(URL base) {
    this(base, null);
  }

  /** Over HTTPS when {@code ssl} is given (the base URL's port is then the HTTPS port). */
  GatewayClient(URL base, SSLContext ssl) {
    try {
      URI uri = base.toURI();
      String path = uri.getPath().endsWith("/") ? uri.getPath() : uri.getPath() + "/";
      this.server = (ssl == null ? "http" : "https") + "://127.0.0.1:" + uri.getPort();
      this.root = server + path;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(base.toString(), e);
    }
    HttpClient.Builder builder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER);
    this.http = ssl == null ? builder.build() : builder.sslContext(ssl).build();
  }

  /** A TLS context that trusts exactly the CA in a PEM file (the launcher's demo CA). */
  static SSLContext trusting(Path caCertificate) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caCertificate)) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, trustManagers.getTrustManagers(), null);
    return ssl;
  }

  /** The application's root URL, ending with '/'. */
  String root() {
    return root;
  }

  /** The server's root, where Payara Micro serves /openapi, /health and /metrics. */
  String server() {
    return server;
  }

  HttpResponse<String> send(String method, String path, String basic, String json)
      throws Exception {
    HttpRequest.Builder request = request(method, path, json);
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (basic != null) {
      request.header("Authorization", basic(basic));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> blocks(
      String method, String path, String authorization, String range, byte[] body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(root + path))
            .timeout(Duration.ofSeconds(120))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      request.header("Content-Type", "application/octet-stream");
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (range != null) {
      request.header("Range", range);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest.Builder request(String method, String path, String json) {
    return HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : root + path))
        .timeout(Duration.ofSeconds(60))
        .method(
            method,
            json == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
  }

  static String basic(String userColonPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  /** A fresh user with role user and {@link #PASSWORD}. */
  String newUser() throws Exception {
    String user = "it-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<String> created =
        send(
            "POST",
            "api/admin/users",
            ADMIN,
            "{\"name\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    return user;
  }

  /** A fresh 16 MiB volume of the user, the first site primary. */
  String newVolume(String owner, String transfer, String... sites) throws Exception {
    String name = "vol-" + UUID.randomUUID().toString().substring(0, 8);
    JsonArrayBuilder list = Json.createArrayBuilder();
    for (String s : sites) {
      list.add(s);
    }
    HttpResponse<String> created =
        send(
            "POST",
            "api/admin/volumes",
            ADMIN,
            Json.createObjectBuilder()
                .add("name", name)
                .add("owner", owner)
                .add("sizeBytes", 16 * 1024 * 1024)
                .add("transferType", transfer)
                .add("minimumStaySeconds", 0)
                .add("sites", list)
                .build()
                .toString());
    assertEquals(201, created.statusCode(), created.body());
    return name;
  }

  JsonObject login(String user, String volume, String via) throws Exception {
    HttpResponse<String> r = tryLogin(user, volume, via);
    assertEquals(200, r.statusCode(), r.body());
    return json(r.body());
  }

  /** A login with {@link #PASSWORD}, whatever it answers. */
  HttpResponse<String> tryLogin(String user, String volume, String via) throws Exception {
    return send(
        "POST",
        "api/login",
        null,
        Json.createObjectBuilder()
            .add("user", user)
            .add("password", PASSWORD)
            .add("volume", volume)
            .add("networkInterface", via)
            .build()
            .toString());
  }

  /** The volume as {@code GET /api/admin/volumes/{name}} describes it, storage asked. */
  JsonObject volumeView(String volume) throws Exception {
    HttpResponse<String> r = send("GET", "api/admin/volumes/" + volume, ADMIN, null);
    assertEquals(200, r.statusCode(), r.body());
    return json(r.body());
  }

  /** The secondaries of the volume's copy group in /api/status. */
  List<JsonObject> secondaries(String volume) throws Exception {
    HttpResponse<String> r = send("GET", "api/status/" + volume, ADMIN, null);
    assertEquals(200, r.statusCode(), r.body());
    return json(r.body()).getJsonArray("members").stream()
        .map(JsonValue::asJsonObject)
        .filter(m -> !m.getBoolean("primary"))
        .toList();
  }

  /** Waits (bounded) until every secondary's verify has a result other than RUNNING. */
  void awaitVerifyEnd(String volume) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                secondaries(volume).stream()
                    .map(m -> m.getJsonObject("lag").get("verify"))
                    .allMatch(
                        v ->
                            v instanceof JsonObject o
                                && !"RUNNING".equals(o.getString("outcome"))));
  }

  /** The file of the volume's copy at a data center (its address is "storage/volumeId"). */
  Path volumeFile(String volume, String dataCenter) throws Exception {
    String address =
        volumeView(volume).getJsonArray("members").stream()
            .map(JsonValue::asJsonObject)
            .filter(m -> m.getString("dataCenter").equals(dataCenter))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no copy of " + volume + " at " + dataCenter))
            .getString("address");
    return Path.of(System.getProperty("it.data"), "storage", dataCenter, "volumes")
        .resolve(address.substring(address.indexOf('/') + 1) + ".vol");
  }

  static JsonObject json(String text) {
    try (JsonReader reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }

  /** Asserts a refusal: the status, a JSON body and its stable code. */
  static JsonObject assertError(int status, String code, int actualStatus, String body) {
    assertEquals(status, actualStatus, body);
    JsonObject error = json(body).getJsonObject("error");
    assertEquals(code, error.getString("code"), body);
    return error;
  }
}
