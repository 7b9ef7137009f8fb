package org.roamstore.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.File;
import java.net.CookieManager;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.roamstore.storage.api.Destinations;

/**
 * The gateway's pages as a person uses them: Debian's chromium, driven by Selenium, signs in, logs
 * in to a volume and reads the connect commands, which then work with real NBD clients; an operator
 * watches the status page change without reloading it. Plain HTTP checks what a browser does not
 * show: CSRF refusals, cookie flags and the delay after failed sign-ins.
 */
@ExtendWith(ArquillianExtension.class)
class GatewayPagesIT {
  private static final Path SCREENSHOTS =
      Path.of(System.getProperty("roamstore.dist")).getParent().resolve("screenshots");

  @Deployment(testable = false)
  static WebArchive gateway() {
    return ShrinkWrap.createFromZipFile(
        WebArchive.class, new File(System.getProperty("roamstore.dist"), "web-gateway.war"));
  }

  @ArquillianResource private URL base;

  private GatewayClient gateway;
  private WebDriver browser;
  private Path profile;

  @BeforeEach
  void setUp() throws Exception {
    gateway = new GatewayClient(base);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterEach
  void closeBrowser() throws Exception {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void aPersonSignsInLogsInToAVolumeAndGetsWorkingConnectCommands() throws Exception {
    String user = gateway.newUser();
    // Portland holds the primary; the browser is on loopback, which attaches at Seattle.
    String volume = gateway.newVolume(user, "SYNC", "portland", "seattle");

    WebDriver b = browser();
    b.get(gateway.root() + "volumes");
    wait(b).until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
    b.findElement(By.id("user")).sendKeys(user);
    b.findElement(By.id("password")).sendKeys(GatewayClient.PASSWORD);
    b.findElement(By.id("sign-in-button")).click();

    wait(b).until(ExpectedConditions.visibilityOfElementLocated(By.id("choose")));
    assertEquals(user, b.findElement(By.id("signed-in-as")).getText());
    String detected =
        b.findElement(By.cssSelector("#network-interface option[selected]")).getText();
    assertTrue(detected.contains("Seattle"), "loopback is detected as Seattle: " + detected);
    b.findElement(By.id("volume-" + volume)).click();
    b.findElement(By.id("log-in-to-volume")).click();

    wait(b).until(ExpectedConditions.visibilityOfElementLocated(By.id("nbd-uri")));
    assertEquals("Seattle", b.findElement(By.id("data-center")).getText());
    String moved = b.findElement(By.id("primary-moved")).getText();
    assertTrue(moved.startsWith("moved here from portland; the switch took"), moved);
    String nbdUri = b.findElement(By.id("nbd-uri")).getText();
    assertTrue(nbdUri.startsWith("nbd://127.0.0.1:"), nbdUri);
    screenshot(b, "result-page.png");

    // The commands on the page work as they are, with the real clients.
    String qemuImg = b.findElement(By.id("cmd-qemu-img")).getText();
    assertEquals("qemu-img info " + nbdUri, qemuImg);
    String info = RealClients.run(Arrays.asList(qemuImg.split(" ")));
    assertTrue(info.contains("virtual size: 16 MiB"), info);
    Path copy = SCREENSHOTS.getParent().resolve("it-data").resolve(volume + ".img");
    Files.deleteIfExists(copy);
    String nbdcopy =
        b.findElement(By.id("cmd-nbdcopy")).getText().replace(volume + ".img", copy.toString());
    RealClients.run(Arrays.asList(nbdcopy.split(" ")));
    assertEquals(16L << 20, Files.size(copy), "nbdcopy copied the whole volume");
    Files.delete(copy);
    assertTrue(RealClients.qemuIo(nbdUri, "write -P 0x61 0 4k").contains("wrote 4096/4096"));
    String token = b.findElement(By.id("bearer-token")).getText();
    assertEquals(
        206,
        gateway
            .blocks("GET", "api/blocks/" + volume, "Bearer " + token, "bytes=0-4095", null)
            .statusCode());

    // Travelling: the network interface chosen from the list (Eugene) moves the primary to
    // Portland, and the data written through Seattle is there.
    b.findElement(By.linkText("My volumes")).click();
    wait(b).until(ExpectedConditions.visibilityOfElementLocated(By.id("choose")));
    new Select(b.findElement(By.id("network-interface"))).selectByValue("eugene");
    b.findElement(By.id("volume-" + volume)).click();
    b.findElement(By.id("log-in-to-volume")).click();
    wait(b).until(ExpectedConditions.textToBe(By.id("data-center"), "Portland"));
    String movedBack = b.findElement(By.id("primary-moved")).getText();
    assertTrue(movedBack.startsWith("moved here from seattle; the switch took"), movedBack);
    String portlandUri = b.findElement(By.id("nbd-uri")).getText();
    assertTrue(
        RealClients.qemuIo(portlandUri, "read -P 0x61 0 4k").contains("read 4096/4096"),
        "SYNC remote copy brought Seattle's write to Portland");
    HttpResponse<byte[]> takenOver =
        gateway.blocks("GET", "api/blocks/" + volume, "Bearer " + token, "bytes=0-4095", null);
    GatewayClient.assertError(
        401,
        "TOKEN_REVOKED",
        takenOver.statusCode(),
        new String(takenOver.body(), StandardCharsets.UTF_8));
    token = b.findElement(By.id("bearer-token")).getText();
    nbdUri = portlandUri;

    // Signing out revokes the access: the export and the token stop working.
    b.findElement(By.id("sign-out")).click();
    wait(b).until(ExpectedConditions.visibilityOfElementLocated(By.id("note")));
    assertTrue(b.findElement(By.id("note")).getText().contains("signed out"));
    assertFalse(
        RealClients.qemuIo(nbdUri, "read 0 4k").contains("read 4096/4096"),
        "the NBD export is gone");
    HttpResponse<byte[]> revoked =
        gateway.blocks("GET", "api/blocks/" + volume, "Bearer " + token, "bytes=0-4095", null);
    GatewayClient.assertError(
        401,
        "TOKEN_REVOKED",
        revoked.statusCode(),
        new String(revoked.body(), StandardCharsets.UTF_8));
    b.get(gateway.root() + "volumes");
    wait(b).until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
  }

  @Test
  void theStatusPageFollowsASiteGoingDownWithoutReloading() throws Exception {
    WebDriver b = operatorAtTheStatusPage();
    wait(b)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#site-sanfrancisco .state"), "up"));
    ((JavascriptExecutor) b).executeScript("window.sameDocument = 'yes';");
    try {
      assertEquals(
          200,
          gateway
              .send("PUT", "api/admin/sites/sanfrancisco", GatewayClient.ADMIN, "{\"up\":false}")
              .statusCode());
      wait(b)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.cssSelector("#site-sanfrancisco .state"), "down"));
      assertEquals(
          "yes",
          ((JavascriptExecutor) b).executeScript("return window.sameDocument;"),
          "the page was redrawn in place, not reloaded");
      assertNotNull(b.findElement(By.cssSelector("#groups tbody tr")), "copy groups are listed");
      screenshot(b, "status-page.png");
    } finally {
      assertEquals(
          200,
          gateway
              .send("PUT", "api/admin/sites/sanfrancisco", GatewayClient.ADMIN, "{\"up\":true}")
              .statusCode());
    }
    wait(b)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#site-sanfrancisco .state"), "up"));
  }

  /**
   * Needs the storage engine's verify (the lead's part of issue 15): without it the page says the
   * verify did not start (VERIFY_REFUSED).
   */
  @Test
  void anOperatorPressesVerifyAndWatchesItRunToNoDifference() throws Exception {
    String owner = gateway.newUser();
    String volume = gateway.newVolume(owner, "ASYNC", "seattle", "portland");
    By portland = By.id("verify-" + volume + "-portland");

    WebDriver b = operatorAtTheStatusPage();
    wait(b).until(ExpectedConditions.textToBePresentInElementLocated(portland, "never verified"));

    // The table is redrawn every 2 s; a button from the previous drawing may be gone by the click.
    wait(b)
        .until(
            d -> {
              d.findElement(By.id("verify-button-" + volume)).click();
              return true;
            });
    // The page after the post says either that it started or why not.
    wait(b)
        .until(
            ExpectedConditions.or(
                ExpectedConditions.visibilityOfElementLocated(By.id("verify-note")),
                ExpectedConditions.visibilityOfElementLocated(By.id("verify-error"))));
    assertTrue(
        b.findElements(By.id("verify-error")).isEmpty(),
        () -> b.findElement(By.id("verify-error")).getText());
    assertTrue(
        b.findElement(By.id("verify-note"))
            .getText()
            .contains("A verify of " + volume + " started"),
        b.getPageSource());
    wait(b)
        .until(
            d -> {
              String text = d.findElement(portland).getText();
              return text.startsWith("portland: no difference,") ? text : null;
            });
    screenshot(b, "status-page-verified.png");
    JsonObject status =
        GatewayClient.json(
            gateway.send("GET", "api/status/" + volume, GatewayClient.ADMIN, null).body());
    JsonObject verify =
        status.getJsonArray("members").stream()
            .map(m -> m.asJsonObject())
            .filter(m -> m.getString("dataCenter").equals("portland"))
            .findFirst()
            .orElseThrow()
            .getJsonObject("lag")
            .getJsonObject("verify");
    assertEquals("NO_DIFFERENCE", verify.getString("outcome"), status.toString());
  }

  /**
   * The map, the lag charts, the history and the progress bars, through the real page: the
   * primary's dot moves after a login elsewhere, the switch shows in the history with its time, the
   * filter narrows it and a bad filter changes nothing, lag samples reach /api/status, the metrics
   * and a chart, and a slow verify shows a progress bar.
   */
  @Test
  void anOperatorSeesPrimariesMoveOnTheMapWithLagChartsHistoryAndProgress() throws Exception {
    String owner = gateway.newUser();
    String volume = gateway.newVolume(owner, "ASYNC", "seattle", "portland");
    JsonObject status =
        GatewayClient.json(gateway.send("GET", "api/status", GatewayClient.ADMIN, null).body());
    int sites = status.getJsonArray("sites").size();
    int interfaces = status.getJsonArray("networkInterfaces").size();
    // The demo's three, and any a test of the same server added (GatewayApiIT adds one).
    Set<String> names = new HashSet<>();
    status.getJsonArray("sites").forEach(x -> names.add(x.asJsonObject().getString("name")));
    assertTrue(names.containsAll(Set.of("seattle", "portland", "sanfrancisco")), names.toString());

    WebDriver b = operatorAtTheStatusPage();
    wait(b).until(d -> d.findElements(By.cssSelector("#map .site")).size() == sites);
    assertEquals(interfaces, b.findElements(By.cssSelector("#map .interface")).size());
    Set<String> places =
        wait(b)
            .until(
                d -> {
                  Set<String> read = new HashSet<>();
                  for (WebElement c : d.findElements(By.cssSelector("#map .site-mark"))) {
                    read.add(c.getAttribute("cx") + "," + c.getAttribute("cy"));
                  }
                  return read;
                });
    assertEquals(sites, places.size(), "each data center at its own place: " + places);
    By dot = By.id("map-primary-" + volume);
    wait(b).until(ExpectedConditions.attributeToBe(dot, "data-site", "seattle"));
    String state =
        wait(b)
            .until(
                d ->
                    d.findElement(By.id("map-link-" + volume + "-portland"))
                        .getAttribute("data-state"));
    assertTrue(
        Set.of("IN_SYNC", "LAGGING", "OUT_OF_SYNC", "RESYNCING", "NOT_REPORTED").contains(state),
        state);
    ((JavascriptExecutor) b).executeScript("window.sameDocument = 'yes';");

    // Lag over time: the server's samples of the secondary reach /api/status, the chart and the
    // metrics (one series per volume and secondary).
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> lagSamples(volume, "portland") >= 2);
    wait(b)
        .until(
            d ->
                Integer.parseInt(
                        d.findElement(By.id("lag-chart-" + volume + "-portland"))
                            .getAttribute("data-samples"))
                    >= 2);
    String metrics = gateway.send("GET", gateway.server() + "/metrics", null, null).body();
    assertTrue(
        Pattern.compile(
                "roamstore_replication_lag_bytes\\{[^}]*volume=\"" + Pattern.quote(volume) + "\"")
            .matcher(metrics)
            .find(),
        "a lag gauge of this volume");

    // Clicking the primary's dot shows the volume's details.
    wait(b)
        .until(
            d -> {
              d.findElement(dot).click();
              return true;
            });
    wait(b).until(ExpectedConditions.textToBe(By.id("details-volume"), volume));
    wait(b).until(ExpectedConditions.textToBe(By.id("details-primary"), "seattle"));

    // A login from Eugene moves the primary to Portland; the dot follows without a reload.
    assertEquals("seattle", gateway.login(owner, volume, "eugene").getString("previousPrimary"));
    wait(b).until(ExpectedConditions.attributeToBe(dot, "data-site", "portland"));
    wait(b).until(ExpectedConditions.textToBe(By.id("details-primary"), "portland"));
    wait(b)
        .until(
            ExpectedConditions.presenceOfElementLocated(By.id("map-link-" + volume + "-seattle")));
    assertEquals("yes", ((JavascriptExecutor) b).executeScript("return window.sameDocument;"));
    ((JavascriptExecutor) b).executeScript("window.scrollTo(0, 0);");
    screenshot(b, "status-map.png");

    // The history lists the switch with its time; the filter narrows it to the volume.
    By switched =
        By.cssSelector("#history li[data-type='PRIMARY_SWITCHED'][data-volume='" + volume + "']");
    String entry =
        wait(b)
            .until(
                d -> d.findElements(switched).isEmpty() ? null : d.findElement(switched).getText());
    assertTrue(
        entry.contains("seattle \u2192 portland") && entry.contains("the switch took"), entry);
    b.findElement(By.id("history-volume")).sendKeys(volume);
    b.findElement(By.id("history-apply")).click();
    wait(b)
        .until(
            d -> {
              List<WebElement> items = d.findElements(By.cssSelector("#history li"));
              return items.size() >= 3
                  && items.stream().allMatch(i -> volume.equals(i.getAttribute("data-volume")));
            });
    screenshot(b, "status-history.png");

    // A filter naming no volume is refused and changes nothing.
    b.findElement(By.id("history-volume")).clear();
    b.findElement(By.id("history-volume")).sendKeys("no-such-volume-" + volume);
    b.findElement(By.id("history-apply")).click();
    wait(b)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("history-error"), "Filter not applied: no virtual volume named"));
    // The filter in force is still the volume's (read again should the list be redrawn meanwhile).
    wait(b)
        .until(
            d ->
                d.findElements(By.cssSelector("#history li")).stream()
                    .allMatch(i -> volume.equals(i.getAttribute("data-volume"))));
    history("volume=no-such-volume-" + volume, 404, "UNKNOWN_VOLUME");
    history("user=nobody-" + owner, 404, "UNKNOWN_USER");
    history("volume=%3Cscript%3E", 400, "VALIDATION_FAILED");
    history("limit=abc", 400, "VALIDATION_FAILED");

    // A verify at 1 MiB/s (16 s for 16 MiB) shows its progress bar on the page and in the status.
    assertEquals(
        202,
        gateway
            .send(
                "POST",
                "api/volumes/" + volume + "/verify",
                GatewayClient.ADMIN,
                "{\"rateMiBPerSecond\": 1}")
            .statusCode());
    JsonObject operation = awaitProgressBar(b, volume, "verify", "seattle");
    assertEquals("VERIFY", operation.getString("kind"), operation.toString());
    assertEquals("seattle", operation.getString("dataCenter"), operation.toString());
    screenshot(b, "status-progress.png");
  }

  /**
   * A secondary's line on the map changes colour with its state, deterministically: bytes planted
   * in Portland's copy of a fresh volume (a bad disk, a stray dd) and a verify that does not repair
   * turn the line red (out of sync); a verify that repairs turns it green again, without a reload.
   */
  @Test
  void aSecondaryThatDiffersTurnsRedOnTheMapAndGreenAfterRepair() throws Exception {
    String owner = gateway.newUser();
    String volume = gateway.newVolume(owner, "ASYNC", "seattle", "portland");
    By line = By.id("map-link-" + volume + "-portland");

    WebDriver b = operatorAtTheStatusPage();
    String inSync = awaitLine(b, line, "IN_SYNC", "in-sync");
    ((JavascriptExecutor) b).executeScript("window.sameDocument = 'yes';");

    // Nothing was written, so no cache holds the region: the verify reads the planted bytes.
    Path copy = gateway.volumeFile(volume, "portland");
    try (FileChannel file = FileChannel.open(copy, StandardOpenOption.WRITE)) {
      file.write(ByteBuffer.wrap("not what the primary wrote".getBytes()), 5L * 1024 * 1024 + 123);
    }
    verify(volume, "{\"secondaries\": [\"portland\"], \"repair\": false}");
    String outOfSync = awaitLine(b, line, "OUT_OF_SYNC", "out-of-sync");
    assertEquals("rgb(166, 27, 27)", outOfSync, "red");
    assertTrue(!outOfSync.equals(inSync), inSync + " before, " + outOfSync + " now");
    select(b, line);
    ((JavascriptExecutor) b).executeScript("window.scrollTo(0, 0);");
    screenshot(b, "status-map-out-of-sync.png");

    verify(volume, "{\"secondaries\": [\"portland\"], \"repair\": true}");
    assertEquals(inSync, awaitLine(b, line, "IN_SYNC", "in-sync"), "green again");
    assertEquals("yes", ((JavascriptExecutor) b).executeScript("return window.sameDocument;"));
    screenshot(b, "status-map-repaired.png");
  }

  /**
   * A lagging secondary turns yellow and the drain of a switch shows its progress bar,
   * deterministically: Portland's write data queue is paused at the broker, so every ASYNC write
   * Seattle accepts stays owed to Portland; a login from Eugene then switches to Portland, and its
   * drain waits on the page until the queue delivers again. Then the primary moves.
   */
  @Test
  void aLaggingSecondaryTurnsYellowAndASwitchShowsItsDrainUntilItEnds() throws Exception {
    String owner = gateway.newUser();
    String volume = gateway.newVolume(owner, "ASYNC", "seattle", "portland");
    String nbd = gateway.login(owner, volume, "seattle").getJsonObject("nbd").getString("uri");
    By line = By.id("map-link-" + volume + "-portland");
    WebDriver b = operatorAtTheStatusPage();
    String inSync = awaitLine(b, line, "IN_SYNC", "in-sync");

    ExecutorService login = Executors.newSingleThreadExecutor();
    try (PausedQueue portland =
        PausedQueue.pause(Destinations.subscription(Destinations.REPLICATION_DATA, "portland"))) {
      assertTrue(RealClients.qemuIo(nbd, "write -P 0x3c 0 4M").contains("wrote 4194304/4194304"));
      String lagging = awaitLine(b, line, "LAGGING", "lagging");
      assertEquals("rgb(212, 160, 0)", lagging, "yellow");
      assertTrue(!lagging.equals(inSync), inSync + " before, " + lagging + " now");
      select(b, line);
      ((JavascriptExecutor) b).executeScript("window.scrollTo(0, 0);");
      screenshot(b, "status-map-lagging.png");

      Future<JsonObject> fromEugene = login.submit(() -> gateway.login(owner, volume, "eugene"));
      JsonObject drain = awaitProgressBar(b, volume, "drain", "portland");
      assertEquals("DRAIN", drain.getString("kind"), drain.toString());
      assertEquals("seattle", drain.getString("from"), drain.toString());
      assertEquals(0, drain.getInt("percent"), "nothing reached Portland yet: " + drain);
      assertFalse(fromEugene.isDone(), "the switch waits for its drain");
      ((JavascriptExecutor) b)
          .executeScript(
              "arguments[0].scrollIntoView({block: 'center'});",
              b.findElement(By.id("progress-" + volume + "-drain-portland")));
      screenshot(b, "status-drain.png");

      portland.resume();
      JsonObject switched = fromEugene.get(90, TimeUnit.SECONDS);
      assertEquals("portland", switched.getJsonObject("dataCenter").getString("name"));
      assertEquals("SWITCH", switched.getString("outcome"), switched.toString());
    } finally {
      login.shutdownNow();
    }
    wait(b)
        .until(
            ExpectedConditions.attributeToBe(
                By.id("map-primary-" + volume), "data-site", "portland"));
    wait(b)
        .until(
            ExpectedConditions.numberOfElementsToBe(
                By.cssSelector("#progress-" + volume + "-drain-portland"), 0));
  }

  /**
   * Waits for the page's progress bar of a running operation (its kind and data center); answers
   * the operation as /api/status has it.
   */
  private JsonObject awaitProgressBar(WebDriver b, String volume, String kind, String dataCenter)
      throws Exception {
    wait(b)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(
                    "#progress-" + volume + "-" + kind + "-" + dataCenter + " progress")));
    return GatewayClient.json(
            gateway.send("GET", "api/status/" + volume, GatewayClient.ADMIN, null).body())
        .getJsonArray("operations")
        .getJsonObject(0);
  }

  /** Clicks a line of the map: it is drawn thicker, above the others, with the volume's details. */
  private static void select(WebDriver b, By line) {
    wait(b)
        .until(
            d -> {
              ((JavascriptExecutor) d)
                  .executeScript(
                      "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));",
                      d.findElement(line));
              return d.findElement(line).getAttribute("class").contains("selected");
            });
  }

  /** Waits for the map's line to show {@code state}; answers its drawn colour. */
  private static String awaitLine(WebDriver b, By line, String state, String cssClass) {
    return wait(b)
        .until(
            d -> {
              WebElement l = d.findElement(line);
              return state.equals(l.getAttribute("data-state"))
                      && Arrays.asList(l.getAttribute("class").split(" ")).contains(cssClass)
                  ? l.getCssValue("stroke")
                  : null;
            });
  }

  /** Starts a verify once the directory has seen the volume's previous one end (202). */
  private void verify(String volume, String body) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                gateway
                        .send(
                            "POST", "api/volumes/" + volume + "/verify", GatewayClient.ADMIN, body)
                        .statusCode()
                    == 202);
  }

  private int lagSamples(String volume, String secondary) throws Exception {
    JsonObject group =
        GatewayClient.json(
            gateway.send("GET", "api/status/" + volume, GatewayClient.ADMIN, null).body());
    return group.getJsonArray("members").stream()
        .map(m -> m.asJsonObject())
        .filter(m -> m.getString("dataCenter").equals(secondary))
        .findFirst()
        .orElseThrow()
        .getJsonObject("lagSamples")
        .getJsonArray("offsetsSeconds")
        .size();
  }

  /** {@code GET /api/history?query}, expected refused with the status and code. */
  private void history(String query, int status, String code) throws Exception {
    HttpResponse<String> answer =
        gateway.send("GET", "api/history?" + query, GatewayClient.ADMIN, null);
    GatewayClient.assertError(status, code, answer.statusCode(), answer.body());
  }

  @Test
  void formsNeedTheirCsrfTokenAndTheSessionCookieIsHttpOnlyAndSameSiteStrict() throws Exception {
    String user = gateway.newUser();
    HttpClient client = cookieClient();

    HttpResponse<String> form = get(client, "login");
    assertEquals(200, form.statusCode());
    String cookie = form.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.contains("HttpOnly"), cookie);
    assertTrue(cookie.toLowerCase(Locale.ROOT).contains("samesite=strict"), cookie);
    assertEquals(
        "default-src 'self'",
        form.headers().firstValue("Content-Security-Policy").orElseThrow().split(";")[0]);

    HttpResponse<String> forged =
        post(client, "login", "user=" + user + "&password=" + GatewayClient.PASSWORD);
    assertEquals(403, forged.statusCode(), "no CSRF token, no sign-in");
    assertEquals(302, get(client, "volumes").statusCode(), "still signed out");

    HttpResponse<String> signedIn =
        post(
            client,
            "login",
            "user=" + user + "&password=" + GatewayClient.PASSWORD + "&csrf=" + csrf(form.body()));
    assertEquals(302, signedIn.statusCode(), signedIn.body());
    assertTrue(signedIn.headers().firstValue("Location").orElseThrow().endsWith("/volumes"));
    assertTrue(
        signedIn.headers().firstValue("Set-Cookie").isPresent(),
        "signing in changes the session id");

    HttpResponse<String> volumes = get(client, "volumes");
    assertEquals(200, volumes.statusCode());
    HttpResponse<String> notAnOperator = get(client, "status");
    assertEquals(403, notAnOperator.statusCode());
    assertTrue(notAnOperator.body().contains("This page is for operators"), notAnOperator.body());
    String volume = gateway.newVolume(user, "SYNC", "seattle", "portland");
    assertEquals(
        403,
        post(client, "status", "volume=" + volume + "&csrf=" + csrf(volumes.body())).statusCode(),
        "a user who is no operator cannot start a verify, even with the session's token");
    HttpResponse<String> noToken = post(client, "volumes", "volume=" + volume);
    assertEquals(403, noToken.statusCode(), "a volume login needs the token too");
    HttpResponse<String> staleToken =
        post(client, "volumes", "volume=" + volume + "&csrf=" + csrf(form.body()));
    assertEquals(403, staleToken.statusCode(), "the token from before signing in is dead");
    JsonViews.assertNoGrants(gateway, volume);

    HttpResponse<String> loggedIn =
        post(client, "volumes", "volume=" + volume + "&csrf=" + csrf(volumes.body()));
    assertEquals(302, loggedIn.statusCode(), loggedIn.body());
    HttpResponse<String> result = get(client, "access?volume=" + volume);
    assertTrue(result.body().contains("qemu-img info nbd://"), result.body());
  }

  @Test
  void repeatedFailedSignInsAreSlowedDown() throws Exception {
    String user = gateway.newUser();
    HttpClient client = cookieClient();
    String token = csrf(get(client, "login").body());
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> wrong =
          post(client, "login", "user=" + user + "&password=wrong-password&csrf=" + token);
      assertEquals(200, wrong.statusCode());
      assertTrue(wrong.body().contains("Unknown user or wrong password"), wrong.body());
    }
    HttpResponse<String> refused =
        post(
            client,
            "login",
            "user=" + user + "&password=" + GatewayClient.PASSWORD + "&csrf=" + token);
    assertEquals(429, refused.statusCode(), "even the right password waits after 3 failures");
    assertTrue(refused.body().contains("Too many failed sign-ins"), refused.body());
    assertTrue(refused.headers().firstValue("Retry-After").isPresent());

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                post(
                            client,
                            "login",
                            "user="
                                + user
                                + "&password="
                                + GatewayClient.PASSWORD
                                + "&csrf="
                                + token)
                        .statusCode()
                    == 302);
  }

  // --- helpers -------------------------------------------------------------------------------

  /** A browser signed in as the demo operator, on the status page. */
  private WebDriver operatorAtTheStatusPage() throws Exception {
    WebDriver b = browser();
    b.get(gateway.root() + "status");
    wait(b).until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
    b.findElement(By.id("user")).sendKeys("admin");
    b.findElement(By.id("password")).sendKeys("roamstore-admin");
    b.findElement(By.id("sign-in-button")).click();
    return b;
  }

  private WebDriver browser() throws Exception {
    profile = Files.createTempDirectory("chromium-profile");
    browser = Chromium.start(profile);
    return browser;
  }

  /**
   * A wait that looks again when the page redrew an element between finding and reading it (the map
   * is redrawn on every status event).
   */
  private static FluentWait<WebDriver> wait(WebDriver b) {
    return new WebDriverWait(b, Duration.ofSeconds(60))
        .ignoring(StaleElementReferenceException.class);
  }

  private static void screenshot(WebDriver b, String name) throws Exception {
    Path shot = SCREENSHOTS.resolve(name);
    Files.write(shot, ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES));
    System.out.println("screenshot: " + shot.toAbsolutePath());
  }

  private static HttpClient cookieClient() {
    return HttpClient.newBuilder()
        .cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  private HttpResponse<String> get(HttpClient client, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(gateway.root() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(HttpClient client, String path, String form) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(gateway.root() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String csrf(String html) {
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
    assertTrue(m.find(), "the form carries a CSRF token: " + html);
    return URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
  }

  /** Small checks on the admin view of a volume. */
  static final class JsonViews {
    private JsonViews() {}

    static void assertNoGrants(GatewayClient gateway, String volume) throws Exception {
      HttpResponse<String> view =
          gateway.send("GET", "api/admin/volumes/" + volume, GatewayClient.ADMIN, null);
      assertEquals(0, GatewayClient.json(view.body()).getInt("activeGrants"), view.body());
    }
  }
}
