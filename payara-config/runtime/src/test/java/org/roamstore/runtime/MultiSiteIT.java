package org.roamstore.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The multi-site topology as README's multi command starts it: PostgreSQL, and per data center its
 * own broker and Payara Micro, the sites joined only by the brokers' bridges. Real clients (qemu-io
 * over NBD, over TLS as the multi command requires by default, with the demo CA it makes) write and
 * read; a site is killed with SIGKILL mid-stream and comes back. Every gateway call goes over HTTPS
 * trusting only that CA, as the multi command requires by default too, Chromium's included; plain
 * HTTP is redirected or refused. The brokers and their bridges speak mutual TLS with a user per
 * site, as the multi command makes them by default: remote copy converges over them. A copy is
 * added to a volume in use across the bridges, and a fourth data center joins the running sites
 * ({@link FourthDataCenter}).
 */
class MultiSiteIT {
  private static final Pattern RUNNING = Pattern.compile("Roamstore multi-site is running");
  private static final Pattern DIRECTORY = Pattern.compile("directory: (jdbc:postgresql:[^)\\s]+)");
  private static final String[] SITES = {"seattle", "portland", "sanfrancisco"};
  private static final int CHUNK = 64 * 1024;
  private static final int CHUNKS_DURING_KILL = 48;

  /**
   * README: a dead site is marked down within failures x period + timeout of the site watch, 3 x 1
   * s + 5 s by default (SiteWatch).
   */
  private static final Duration MARK_DOWN_BOUND = Duration.ofSeconds(8);

  private static final Duration MARGIN = Duration.ofSeconds(2);

  private final List<Process> started = new ArrayList<>();
  private Path data;

  @AfterEach
  void stopEverything() throws Exception {
    // The restarted site first, then the multi command, which stops the rest and PostgreSQL.
    stopInReverse(started);
    if (data != null) {
      for (String site : SITES) {
        for (String pid : new String[] {"payara.pid", "broker.pid"}) {
          Path file = data.resolve(site).resolve(pid);
          if (Files.exists(file)) {
            ProcessHandle.of(Long.parseLong(Files.readString(file).strip()))
                .ifPresent(ProcessHandle::destroyForcibly);
          }
        }
      }
    }
  }

  @Test
  void threeSitesOnTheirOwnServersAndBrokersShareOneVolumeAndSurviveAKilledSite() throws Exception {
    data = Path.of(System.getProperty("it.data") + "-multi");
    deleteTree(data); // a directory left by an earlier run would have Boise already
    // Four of each: a fourth data center joins at the end.
    int http = freeRange(4);
    int https = freeRange(4);
    int broker = freeRange(4);
    int postgres = freeRange(1);
    Process multi =
        launch(data.resolve("multi.out"), multiCommand(data, http, https, broker, postgres));
    awaitOutput(multi, data.resolve("multi.out"), RUNNING, 900);
    Matcher jdbc = DIRECTORY.matcher(Files.readString(data.resolve("multi.out")));
    assertTrue(jdbc.find(), Files.readString(data.resolve("multi.out")));
    brokersSpeakMutualTlsToTheirUsersOnly(broker);

    GatewayClient seattle = gateway(https);
    GatewayClient portland = gateway(https + 1);
    GatewayClient sanFrancisco = gateway(https + 2);
    httpsIsRequired(seattle, http, https);
    // The demo volumes span sites that were still starting when the first server loaded the
    // topology: they are made once every site is up.
    awaitVolume(portland, "alice-disk");
    aBrowserUsesTheStatusPageOverHttps(seattle, http, https);
    String user = seattle.newUser();
    String volume = seattle.newVolume(user, "ASYNC", SITES);
    // Copies at Seattle (primary) and Portland only: Eugene's nearest copy is Portland's.
    String nearby = seattle.newVolume(user, "ASYNC", "seattle", "portland");
    plainHttpChangesNothing(sanFrancisco, http + 2, user, volume);

    // Seattle: the volume is primary there already; write through its NBD front end.
    JsonObject atSeattle = seattle.login(user, volume, "seattle");
    assertEquals("seattle", atSeattle.getJsonObject("dataCenter").getString("name"));
    String seattleNbd = atSeattle.getJsonObject("nbd").getString("uri");
    qemuIo(seattleNbd, "write -P 0x5a 0 1M", "write -P 0xa5 1M 64k");

    // San Jose, through San Francisco's own gateway: San Francisco becomes primary (the async data
    // is drained from Seattle first) and has the same bytes.
    JsonObject atSanFrancisco = sanFrancisco.login(user, volume, "sanjose");
    assertEquals("sanfrancisco", atSanFrancisco.getJsonObject("dataCenter").getString("name"));
    assertEquals("SWITCH", atSanFrancisco.getString("outcome"), atSanFrancisco.toString());
    String sfNbd = atSanFrancisco.getJsonObject("nbd").getString("uri");
    qemuIo(sfNbd, "read -P 0x5a 0 1M", "read -P 0xa5 1M 64k");
    assertTrue(seattleNbd.startsWith("nbds://"), "NBD over TLS by default: " + seattleNbd);
    assertNotEquals(
        0, QemuIo.run(clientTls(), seattleNbd, "read 0 4k").exit(), "Seattle's old token is dead");

    // Async writes at San Francisco while Portland's server and broker are killed (SIGKILL).
    Process writes = startQemuIo(sfNbd, chunkWrites());
    Thread.sleep(300);
    long killed = System.nanoTime();
    kill9(data.resolve("portland"));

    // Every surviving server's directory marks it down within README's bound, and says so in its
    // status.
    awaitMarkedDownWithinTheBound(killed, "portland", seattle, sanFrancisco);
    awaitSiteUp(seattle, "portland", false);
    assertTrue(upInDirectory(seattle, "seattle"), "the living sites stay up");
    assertTrue(upInDirectory(seattle, "sanfrancisco"), "the living sites stay up");
    assertTrue(writes.waitFor(120, TimeUnit.SECONDS), "the writes finish without Portland");
    assertEquals(0, writes.exitValue(), new String(writes.getInputStream().readAllBytes()));

    // The dead site is not picked: Eugene's nearest copy of the second volume is Portland's, yet
    // the login stays at Seattle.
    JsonObject fromEugene = sanFrancisco.login(user, nearby, "eugene");
    assertEquals("seattle", fromEugene.getJsonObject("dataCenter").getString("name"));
    qemuIo(fromEugene.getJsonObject("nbd").getString("uri"), "write -P 0x77 0 64k");

    // Portland comes back with the command the multi command recorded for it, and catches up.
    Process restarted =
        launch(
            data.resolve("portland-restart.out"),
            "bash",
            "-c",
            Files.readString(data.resolve("portland").resolve("command")).strip());
    awaitOutput(
        restarted,
        data.resolve("portland-restart.out"),
        Pattern.compile("Roamstore site portland is running"),
        600);
    awaitSiteUp(seattle, "portland", true);

    // From Eugene again: Portland becomes primary after draining San Francisco, and holds every
    // byte written while it was dead.
    JsonObject atPortland = portland.login(user, volume, "eugene");
    assertEquals("portland", atPortland.getJsonObject("dataCenter").getString("name"));
    String portlandNbd = atPortland.getJsonObject("nbd").getString("uri");
    List<String> reads = new ArrayList<>(List.of("read -P 0xa5 1M 64k"));
    for (int i = 0; i < CHUNKS_DURING_KILL; i++) {
      reads.add("read -P " + pattern(i) + " " + (2 * 1024 * 1024 + (long) i * CHUNK) + " 64k");
    }
    qemuIo(portlandNbd, reads.toArray(String[]::new));

    // The second volume's write made while Portland was dead reached it as well.
    JsonObject nearbyAtPortland = portland.login(user, nearby, "eugene");
    assertEquals("portland", nearbyAtPortland.getJsonObject("dataCenter").getString("name"));
    String nearbyNbd = nearbyAtPortland.getJsonObject("nbd").getString("uri");
    qemuIo(nearbyNbd, "read -P 0x77 0 64k");

    // A third copy of it, added at San Francisco through Portland's gateway while a writer runs
    // there: its write data crosses the bridge to a broker whose site just joined the group. It
    // becomes complete (copied, then verified), and a login nearest to it makes it primary there,
    // with every byte.
    Process copyWrites = startQemuIo(nearbyNbd, chunkWrites());
    HttpResponse<String> added =
        portland.send(
            "POST",
            "api/admin/volumes/" + nearby + "/copies",
            GatewayClient.ADMIN,
            "{\"site\": \"sanfrancisco\"}");
    assertEquals(201, added.statusCode(), added.body());
    assertTrue(copyWrites.waitFor(120, TimeUnit.SECONDS), "the writes go on during the copy");
    assertEquals(0, copyWrites.exitValue(), new String(copyWrites.getInputStream().readAllBytes()));
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                portland.volumeView(nearby).getJsonArray("members").stream()
                    .map(JsonValue::asJsonObject)
                    .noneMatch(m -> m.getBoolean("copying")));
    JsonObject nearbyAtSf = sanFrancisco.login(user, nearby, "sanjose");
    assertEquals("sanfrancisco", nearbyAtSf.getJsonObject("dataCenter").getString("name"));
    List<String> all = new ArrayList<>(List.of("read -P 0x77 0 64k"));
    for (int i = 0; i < CHUNKS_DURING_KILL; i++) {
      all.add("read -P " + pattern(i) + " " + (2 * 1024 * 1024 + (long) i * CHUNK) + " 64k");
    }
    qemuIo(nearbyAtSf.getJsonObject("nbd").getString("uri"), all.toArray(String[]::new));

    new FourthDataCenter(data, http, https, broker, jdbc.group(1), started)
        .joinsAndServesALoginNearIt();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Stops the processes a test started, the last first, each as Ctrl-C would (the launcher then
   * stops what it started), forcibly if it has not ended in two minutes.
   */
  static void stopInReverse(List<Process> started) throws InterruptedException {
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i);
      if (p.isAlive()) {
        p.destroy();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      }
    }
  }

  /**
   * README's multi command with its data under {@code data} and each kind of port counting up from
   * the one given, NBD on ephemeral ports.
   */
  static String[] multiCommand(Path data, int http, int https, int broker, int postgres) {
    return new String[] {
      "bash",
      System.getProperty("roamstore.launcher"),
      "multi",
      "--data",
      data.toString(),
      "--port",
      String.valueOf(http),
      "--https-port",
      String.valueOf(https),
      "--broker-port",
      String.valueOf(broker),
      "--nbd-port",
      "0",
      "--pg-port",
      String.valueOf(postgres)
    };
  }

  /**
   * Every link between sites is encrypted and authenticated: each broker says so at start (TLS with
   * client certificates; its site, its peers and an integrating system as users), refuses a plain
   * TCP client, and every secret the launcher wrote is owner-only and on no command line.
   */
  private void brokersSpeakMutualTlsToTheirUsersOnly(int firstBroker) throws Exception {
    for (int i = 0; i < SITES.length; i++) {
      String log = Files.readString(data.resolve(SITES[i]).resolve("logs/broker.log"));
      assertTrue(log.contains("TLS with client certificates"), log);
      assertTrue(log.contains("users: " + SITES[i] + " (server), "), log);
      assertTrue(log.contains("(peer sites), integration (integrating systems)"), log);
      try (ServerLocator plain =
          ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + (firstBroker + i))) {
        plain.setReconnectAttempts(0).setInitialConnectAttempts(1).setCallTimeout(5_000);
        assertThrows(
            ActiveMQException.class, plain::createSessionFactory, "plain TCP to " + SITES[i]);
      }
      Path runtime = data.resolve(SITES[i]).resolve("runtime");
      for (Path secret :
          List.of(
              runtime.resolve("post-boot.asadmin"),
              runtime.resolve("broker-client.properties"),
              runtime.resolve("broker-tls.properties"),
              runtime.resolve("system.properties"),
              data.resolve("secrets/sites/" + SITES[i] + ".password"))) {
        assertEquals(
            "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)),
            secret.toString());
      }
      String password =
          Files.readAllLines(data.resolve("secrets/sites/" + SITES[i] + ".password")).get(0);
      String command = Files.readString(data.resolve(SITES[i]).resolve("command"));
      assertFalse(command.contains(password), "no broker password on the command line");
      assertFalse(command.contains("--jdbc-password "), command);
      assertFalse(log.contains(password), "no broker password in the broker's log");
    }
  }

  /**
   * Over HTTPS an operator signs in with the form and reads {@code /api/status} with the session,
   * whose cookie is Secure, and HSTS comes along; on the plain port a page is redirected to HTTPS
   * and the API is refused, credentials or not.
   */
  private void httpsIsRequired(GatewayClient gateway, int http, int https) throws Exception {
    HttpClient browser =
        HttpClient.newBuilder()
            .sslContext(GatewayClient.trusting(caCertificate()))
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    HttpResponse<String> form = get(browser, gateway.root() + "login");
    assertEquals(200, form.statusCode(), form.body());
    String cookie = form.headers().firstValue("Set-Cookie").orElseThrow();
    List<String> flags =
        Arrays.stream(cookie.split(";")).map(f -> f.strip().toLowerCase(Locale.ROOT)).toList();
    assertTrue(flags.contains("secure"), cookie);
    assertTrue(flags.contains("httponly"), cookie);
    assertTrue(flags.contains("samesite=strict"), cookie);
    assertEquals(
        Optional.of("max-age=31536000"), form.headers().firstValue("Strict-Transport-Security"));

    Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(form.body());
    assertTrue(csrf.find(), form.body());
    String[] admin = GatewayClient.ADMIN.split(":");
    HttpResponse<String> signedIn =
        browser.send(
            HttpRequest.newBuilder(URI.create(gateway.root() + "login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "user="
                            + admin[0]
                            + "&password="
                            + admin[1]
                            + "&csrf="
                            + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(302, signedIn.statusCode(), signedIn.body());
    HttpResponse<String> status = get(browser, gateway.root() + "api/status");
    assertEquals(200, status.statusCode(), status.body());
    assertEquals(SITES.length, GatewayClient.json(status.body()).getJsonArray("sites").size());

    HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> page = get(plain, "http://127.0.0.1:" + http + "/status?x=1");
    assertEquals(302, page.statusCode(), page.body());
    assertEquals(
        Optional.of("https://127.0.0.1:" + https + "/status?x=1"),
        page.headers().firstValue("Location"));
    assertEquals(
        Optional.empty(),
        page.headers().firstValue("Strict-Transport-Security"),
        "no HSTS over plain HTTP");
    HttpResponse<String> api =
        plain.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/status"))
                .header("Authorization", GatewayClient.basic(GatewayClient.ADMIN))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonObject refused =
        GatewayClient.assertError(403, "HTTPS_REQUIRED", api.statusCode(), api.body());
    assertTrue(
        refused.getString("message").contains("https://127.0.0.1:" + https + "/api/status"),
        api.body());
    assertEquals(Optional.empty(), api.headers().firstValue("WWW-Authenticate"));
  }

  /**
   * On a plain port, requests that would change something are refused before their credentials are
   * looked at: a login that would move the volume's primary to San Francisco, an operator marking a
   * data center down. Over HTTPS the volume and the site are as they were.
   */
  private static void plainHttpChangesNothing(
      GatewayClient overHttps, int plainPort, String user, String volume) throws Exception {
    JsonObject before =
        GatewayClient.json(
            overHttps.send("GET", "api/admin/volumes/" + volume, GatewayClient.ADMIN, null).body());
    GatewayClient plain = new GatewayClient(new URL("http://127.0.0.1:" + plainPort + "/"));
    HttpResponse<String> login = plain.tryLogin(user, volume, "sanjose");
    GatewayClient.assertError(403, "HTTPS_REQUIRED", login.statusCode(), login.body());
    HttpResponse<String> down =
        plain.send("PUT", "api/admin/sites/seattle", GatewayClient.ADMIN, "{\"up\": false}");
    GatewayClient.assertError(403, "HTTPS_REQUIRED", down.statusCode(), down.body());

    JsonObject after =
        GatewayClient.json(
            overHttps.send("GET", "api/admin/volumes/" + volume, GatewayClient.ADMIN, null).body());
    assertEquals(before.getJsonNumber("epoch"), after.getJsonNumber("epoch"), after.toString());
    assertEquals(before.getJsonArray("members"), after.getJsonArray("members"));
    assertEquals(0, after.getInt("activeGrants"), "the refused login granted nothing");
    assertTrue(upInDirectory(overHttps, "seattle"), "Seattle is still up");
  }

  /**
   * Chromium, trusting the key of Seattle's demo certificate (and no other), signs in to the status
   * page over HTTPS and watches it fill from {@code /api/status}; its session cookie is Secure and
   * HttpOnly, and the plain http:// address brings it back to HTTPS, still signed in.
   */
  private void aBrowserUsesTheStatusPageOverHttps(GatewayClient gateway, int http, int https)
      throws Exception {
    Path seattleCertificate = data.resolve("tls").resolve("seattle").resolve("server-cert.pem");
    WebDriver b =
        Chromium.start(
            Files.createTempDirectory("chromium-profile"),
            "--ignore-certificate-errors-spki-list=" + publicKeyPin(seattleCertificate));
    try {
      WebDriverWait wait = new WebDriverWait(b, Duration.ofSeconds(60));
      By sanFranciscoState = By.cssSelector("#site-sanfrancisco .state");
      b.get(gateway.root() + "status");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
      b.findElement(By.id("user")).sendKeys("admin");
      b.findElement(By.id("password")).sendKeys("roamstore-admin");
      b.findElement(By.id("sign-in-button")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(sanFranciscoState, "up"));
      Cookie session = b.manage().getCookieNamed("JSESSIONID");
      assertTrue(session.isSecure(), session.toString());
      assertTrue(session.isHttpOnly(), session.toString());

      b.get("http://127.0.0.1:" + http + "/status");
      wait.until(ExpectedConditions.textToBePresentInElementLocated(sanFranciscoState, "up"));
      assertEquals("https://127.0.0.1:" + https + "/status", b.getCurrentUrl());
    } finally {
      b.quit();
    }
  }

  /** Chromium's pin of a certificate's key: base64 of the SHA-256 of its SubjectPublicKeyInfo. */
  private static String publicKeyPin(Path certificate) throws Exception {
    try (InputStream in = Files.newInputStream(certificate)) {
      byte[] spki =
          CertificateFactory.getInstance("X.509")
              .generateCertificate(in)
              .getPublicKey()
              .getEncoded();
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    }
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String[] chunkWrites() {
    String[] writes = new String[CHUNKS_DURING_KILL];
    for (int i = 0; i < writes.length; i++) {
      writes[i] = "write -P " + pattern(i) + " " + (2 * 1024 * 1024 + (long) i * CHUNK) + " 64k";
    }
    return writes;
  }

  private static String pattern(int i) {
    return "0x" + Integer.toHexString(0x10 + i);
  }

  /** The demo CA the multi command made, which signed every gateway's certificate. */
  private Path caCertificate() {
    return data.resolve("tls").resolve("ca").resolve("ca-cert.pem");
  }

  /** The client directory of the demo CA the multi command made. */
  private Path clientTls() {
    return data.resolve("tls").resolve("client");
  }

  private void qemuIo(String uri, String... commands) throws Exception {
    QemuIo.Result result = QemuIo.run(clientTls(), uri, commands);
    assertEquals(0, result.exit(), result.output());
    assertFalse(result.output().contains("Pattern verification failed"), result.output());
  }

  private Process startQemuIo(String uri, String... commands) throws IOException {
    Process p = QemuIo.start(clientTls(), uri, commands);
    started.add(p);
    return p;
  }

  private static void kill9(Path site) throws Exception {
    for (String pid : new String[] {"payara.pid", "broker.pid"}) {
      long id = Long.parseLong(Files.readString(site.resolve(pid)).strip());
      ProcessHandle handle = ProcessHandle.of(id).orElseThrow(() -> new AssertionError(pid));
      new ProcessBuilder("kill", "-9", Long.toString(id)).start().waitFor();
      handle.onExit().get(30, TimeUnit.SECONDS);
    }
  }

  /** Waits until the directory's status reports the site up (or down). */
  private static void awaitSiteUp(GatewayClient gateway, String site, boolean up) {
    // Up after a restart: the brokers' bridges reconnect (at most 5 s apart), then the first
    // answered ping re-defines the site's copy groups.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreException(IOException.class) // an idle kept-alive connection closed as we asked
        .until(() -> upInStatus(gateway, site).equals(Optional.of(up)));
  }

  private static Optional<Boolean> upInStatus(GatewayClient gateway, String site) throws Exception {
    HttpResponse<String> status = gateway.send("GET", "api/status", GatewayClient.ADMIN, null);
    if (status.statusCode() != 200) {
      return Optional.empty();
    }
    for (JsonValue s : GatewayClient.json(status.body()).getJsonArray("sites")) {
      JsonObject o = s.asJsonObject();
      if (o.getString("name").equals(site)) {
        return Optional.of(o.getBoolean("up"));
      }
    }
    return Optional.empty();
  }

  /**
   * Waits until each gateway's directory ({@code /api/sites}) has the killed site down, at most
   * README's bound after the kill plus a margin for the HTTP polls and a loaded machine.
   */
  private static void awaitMarkedDownWithinTheBound(
      long killedNanos, String site, GatewayClient... gateways) {
    Duration atMost = MARK_DOWN_BOUND.plus(MARGIN).minusNanos(System.nanoTime() - killedNanos);
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .ignoreException(IOException.class)
        .until(
            () -> {
              for (GatewayClient gateway : gateways) {
                if (upInDirectory(gateway, site)) {
                  return false;
                }
              }
              return true;
            });
    System.out.printf(
        "%s marked down %.1f s after SIGKILL (README's bound: %d s)%n",
        site, (System.nanoTime() - killedNanos) / 1e9, MARK_DOWN_BOUND.toSeconds());
  }

  private static boolean upInDirectory(GatewayClient gateway, String site) throws Exception {
    HttpResponse<String> sites = gateway.send("GET", "api/sites", null, null);
    assertEquals(200, sites.statusCode(), sites.body());
    for (JsonValue s : GatewayClient.json(sites.body()).getJsonArray("dataCenters")) {
      JsonObject o = s.asJsonObject();
      if (o.getString("name").equals(site)) {
        return o.getBoolean("up");
      }
    }
    throw new AssertionError("no data center " + site + " in " + sites.body());
  }

  private static void awaitVolume(GatewayClient gateway, String volume) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      last = gateway.send("GET", "api/admin/volumes/" + volume, GatewayClient.ADMIN, null);
      if (last.statusCode() == 200) {
        return;
      }
      Thread.sleep(2000); // the directory retries the demo volumes every 10 s
    }
    throw new AssertionError(volume + " was not made: " + last.body());
  }

  private Process launch(Path log, String... command) throws IOException {
    Files.createDirectories(log.getParent());
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    started.add(p);
    return p;
  }

  static void awaitOutput(Process p, Path log, Pattern pattern, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Matcher m = pattern.matcher(Files.readString(log));
      if (m.find()) {
        return;
      }
      assertTrue(p.isAlive(), "the command exited early:\n" + Files.readString(log));
      Thread.sleep(500); // polling the log the launcher writes
    }
    throw new AssertionError("not started within " + seconds + " s:\n" + Files.readString(log));
  }

  private GatewayClient gateway(int httpsPort) throws Exception {
    return new GatewayClient(
        new URL("https://127.0.0.1:" + httpsPort + "/"), GatewayClient.trusting(caCertificate()));
  }

  /**
   * The first of {@code count} consecutive free ports, below the kernel's ephemeral range. Some of
   * them are listened on only minutes later (Portland's restart, Boise's join): a port inside that
   * range may meanwhile be the local end of any outgoing connection (a bridge's, a JDBC pool's),
   * and the site's bind then fails (CI saw Boise's broker refused its port).
   */
  static int freeRange(int count) throws IOException {
    int ephemeralLow = ephemeralPortsFrom();
    int low = Math.max(1024, ephemeralLow - 12_000);
    Random random = new Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int first = low + random.nextInt(ephemeralLow - low - count);
      boolean free = true;
      for (int p = first; p < first + count && free; p++) {
        free = !listening(p) && bindable(p);
      }
      if (free) {
        return first;
      }
    }
    throw new IOException("no " + count + " consecutive free ports below " + ephemeralLow);
  }

  /** The first port the kernel hands out to outgoing connections (32768 where it cannot say). */
  private static int ephemeralPortsFrom() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
      int from = Integer.parseInt(range.split("\\s+")[0]);
      return from > 4096 ? from : 32768;
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean listening(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
