package org.roamstore.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fourth data center joins a running multi-site system, as README says to add one (the last part
 * of {@link MultiSiteIT}, on its running sites: a multi-site start of its own would double the
 * test's time): an operator adds Boise by the admin API and starts its {@code run --site boise}
 * with the other sites as peers and a topology file that has it. No other site restarts: their
 * brokers learn Boise from the secrets directory they share, their servers reach its storage
 * through their brokers. A volume with copies at Seattle and Boise, made through Seattle's gateway,
 * is served at Boise to a login from Boise's network interface, and what qemu-io writes there
 * reaches Seattle's copy byte for byte. Boise's topology file also adds what the directory lacks
 * (an interface) and changes nothing it has.
 */
final class FourthDataCenter {
  private static final List<String> OLD_SITES = List.of("seattle", "portland", "sanfrancisco");

  private final Path data;
  private final int http;
  private final int https;
  private final int broker;
  private final String directory;
  private final List<Process> started;

  /**
   * @param data the multi command's data directory
   * @param http the first site's HTTP port; Boise takes the fourth of each range
   * @param directory the directory's JDBC URL
   * @param started where Boise's process goes, to be stopped with the others
   */
  FourthDataCenter(
      Path data, int http, int https, int broker, String directory, List<Process> started) {
    this.data = data;
    this.http = http;
    this.https = https;
    this.broker = broker;
    this.directory = directory;
    this.started = started;
  }

  void joinsAndServesALoginNearIt() throws Exception {
    GatewayClient seattle = gateway(https);

    // The operator adds Boise by the admin API; every gateway's directory has it at once.
    HttpResponse<String> added =
        seattle.send("POST", "api/admin/datacenters", GatewayClient.ADMIN, boise().toString());
    assertEquals(201, added.statusCode(), added.body());
    JsonObject view = GatewayClient.json(added.body());
    assertEquals("boise", view.getString("storageSystem"));
    assertEquals(
        "10.40.0.0/16",
        view.getJsonArray("networkInterfaces").getJsonObject(0).getJsonArray("cidrs").getString(0));
    assertTrue(siteNames(gateway(https + 2)).contains("boise"), "San Francisco's directory has it");

    // ... and starts Boise's site, with a certificate of the same demo CA and the topology file
    // that has it; the others keep running.
    Path topology = fourSites();
    RealClients.run(
        List.of(
            "bash",
            System.getProperty("roamstore.launcher"),
            "certificates",
            "--dir",
            data.resolve("tls").toString(),
            "--host",
            "127.0.0.1",
            "boise"));
    assertTrue(Files.isRegularFile(data.resolve("tls/boise/server-cert.pem")), "Boise's cert");
    List<String> boiseRun =
        new ArrayList<>(
            List.of(
                "bash",
                System.getProperty("roamstore.launcher"),
                "run",
                "--site",
                "boise",
                "--data",
                data.resolve("boise").toString(),
                "--port",
                String.valueOf(http + 3),
                "--https-port",
                String.valueOf(https + 3),
                "--broker-port",
                String.valueOf(broker + 3),
                "--nbd-port",
                "0",
                "--topology",
                topology.toString(),
                "--broker-secrets",
                data.resolve("secrets").toString(),
                "--nbd-tls-dir",
                data.resolve("tls").toString(),
                "--memory",
                memoryOf("seattle"),
                "--jdbc-url",
                directory,
                "--jdbc-user",
                "roamstore",
                "--jdbc-password-file",
                data.resolve("secrets/jdbc.password").toString()));
    for (int i = 0; i < OLD_SITES.size(); i++) {
      boiseRun.addAll(List.of("--peer", OLD_SITES.get(i) + "=127.0.0.1:" + (broker + i)));
    }
    Process boise = launch(data.resolve("boise.out"), boiseRun.toArray(String[]::new));
    MultiSiteIT.awaitOutput(
        boise, data.resolve("boise.out"), Pattern.compile("Roamstore site boise is running"), 600);
    for (String site : OLD_SITES) {
      String log = Files.readString(data.resolve(site).resolve("logs/broker.log"));
      assertTrue(log.contains("peer boise joined at 127.0.0.1:" + (broker + 3)), site + ": " + log);
    }

    // Boise's server loaded its topology file into the directory: what it lacked (Nampa) is added,
    // what differs (Tacoma's name) is logged and left as the directory has it.
    List<JsonObject> interfaces =
        GatewayClient.json(seattle.send("GET", "api/network-interfaces", null, null).body())
            .getJsonArray("networkInterfaces")
            .stream()
            .map(JsonValue::asJsonObject)
            .toList();
    assertTrue(
        interfaces.stream().anyMatch(n -> n.getString("name").equals("nampa")),
        interfaces.toString());
    assertTrue(
        interfaces.stream()
            .anyMatch(
                n ->
                    n.getString("name").equals("tacoma")
                        && n.getString("displayName").equals("Tacoma")),
        interfaces.toString());
    String boiseLog = Files.readString(data.resolve("boise").resolve("logs/payara.log"));
    assertTrue(boiseLog.contains("network interface tacoma differs"), "logged, not changed");

    // Marked down by the site watches while it was not running yet, Boise is up at its first
    // answer.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreException(IOException.class)
        .until(() -> upInDirectory(seattle, "boise"));

    // A volume made through Seattle's gateway with copies at Seattle (primary) and Boise: Seattle's
    // server creates Boise's copy through its broker.
    String user = seattle.newUser();
    String volume = seattle.newVolume(user, "SYNC", "seattle", "boise");
    JsonObject atSeattle = seattle.login(user, volume, "seattle");
    String seattleNbd = atSeattle.getJsonObject("nbd").getString("uri");

    // From Boise's network interface, through Seattle's gateway: Boise becomes primary and serves
    // it from its own NBD front end.
    JsonObject atBoise = seattle.login(user, volume, "boise");
    assertEquals(
        "boise", atBoise.getJsonObject("dataCenter").getString("name"), atBoise.toString());
    assertEquals("SWITCH", atBoise.getString("outcome"), atBoise.toString());
    String boiseNbd = atBoise.getJsonObject("nbd").getString("uri");
    assertFalse(
        endpoint(boiseNbd).equals(endpoint(seattleNbd)),
        "Boise's own front end: " + boiseNbd + " vs Seattle's " + seattleNbd);
    qemuIo(boiseNbd, "write -P 0x4b 0 1M", "write -P 0xb4 1M 64k");
    qemuIo(boiseNbd, "read -P 0x4b 0 1M", "read -P 0xb4 1M 64k");

    // Seattle's copy holds the same bytes, file for file, once both caches wrote their pages out.
    Path boiseFile = volumeFile(seattle, volume, "boise");
    Path seattleFile = volumeFile(seattle, volume, "seattle");
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              byte[] primary = Files.readAllBytes(boiseFile);
              assertEquals(0x4b, primary[0] & 0xff, "Boise wrote its pages out");
              assertEquals(0xb4, primary[1024 * 1024] & 0xff, "Boise wrote its pages out");
              assertArrayEquals(primary, Files.readAllBytes(seattleFile), "Seattle's file");
            });
  }

  /** The data center the operator adds, with one network interface of its own. */
  private static JsonObject boise() {
    return Json.createObjectBuilder()
        .add("name", "boise")
        .add("displayName", "Boise")
        .add("latitude", 43.615)
        .add("longitude", -116.2023)
        .add("hostServer", "127.0.0.1")
        .add("storageSystem", "boise")
        .add(
            "networkInterfaces",
            Json.createArrayBuilder()
                .add(
                    Json.createObjectBuilder()
                        .add("name", "boise")
                        .add("displayName", "Boise")
                        .add("cidrs", Json.createArrayBuilder().add("10.40.0.0/16"))))
        .build();
  }

  /**
   * The demo topology with Boise, as the operator gives it to Boise's site, and two changes the
   * directory must treat as README says: an interface it lacks (Nampa), one it has renamed
   * (Tacoma).
   */
  private Path fourSites() throws IOException {
    Path demo = Path.of(System.getProperty("roamstore.dist"), "demo-topology.json");
    JsonObject three;
    try (JsonReader reader = Json.createReader(new StringReader(Files.readString(demo)))) {
      three = reader.readObject();
    }
    JsonObject four =
        Json.createObjectBuilder(three)
            .add(
                "dataCenters",
                Json.createArrayBuilder(three.getJsonArray("dataCenters"))
                    .add(
                        place("boise", "Boise", 43.615, -116.2023)
                            .add("hostServer", "127.0.0.1")
                            .add("storageSystem", "boise")))
            .add(
                "networkInterfaces",
                Json.createArrayBuilder(three.getJsonArray("networkInterfaces"))
                    .add(
                        place("boise", "Boise", 43.615, -116.2023)
                            .add("cidrs", Json.createArrayBuilder().add("10.40.0.0/16")))
                    .add(
                        place("nampa", "Nampa", 43.5407, -116.5635)
                            .add("cidrs", Json.createArrayBuilder().add("10.41.0.0/16"))))
            .build();
    String text = four.toString().replace("\"Tacoma\"", "\"Tacoma (renamed in the file)\"");
    assertTrue(text.contains("renamed in the file"), text);
    Path file = data.resolve("four-sites.json");
    Files.writeString(file, text);
    return file;
  }

  private static jakarta.json.JsonObjectBuilder place(
      String name, String displayName, double latitude, double longitude) {
    return Json.createObjectBuilder()
        .add("name", name)
        .add("displayName", displayName)
        .add("latitude", latitude)
        .add("longitude", longitude);
  }

  /** The memory the multi command gave a site, for Boise's to match. */
  private String memoryOf(String site) throws IOException {
    Matcher m =
        Pattern.compile("--memory (\\S+)")
            .matcher(Files.readString(data.resolve(site).resolve("command")));
    assertTrue(m.find(), "the multi command gives each site its memory");
    return m.group(1);
  }

  private static boolean upInDirectory(GatewayClient gateway, String site) throws Exception {
    HttpResponse<String> sites = gateway.send("GET", "api/sites", null, null);
    return sites.statusCode() == 200
        && GatewayClient.json(sites.body()).getJsonArray("dataCenters").stream()
            .map(JsonValue::asJsonObject)
            .anyMatch(o -> o.getString("name").equals(site) && o.getBoolean("up"));
  }

  private static List<String> siteNames(GatewayClient gateway) throws Exception {
    HttpResponse<String> sites = gateway.send("GET", "api/sites", null, null);
    assertEquals(200, sites.statusCode(), sites.body());
    return GatewayClient.json(sites.body()).getJsonArray("dataCenters").stream()
        .map(JsonValue::asJsonObject)
        .map(o -> o.getString("name"))
        .toList();
  }

  /** The real volume file of the copy at {@code site}, in that site's data directory. */
  private Path volumeFile(GatewayClient gateway, String volume, String site) throws Exception {
    String address =
        gateway.volumeView(volume).getJsonArray("members").stream()
            .map(JsonValue::asJsonObject)
            .filter(m -> m.getString("dataCenter").equals(site))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no copy of " + volume + " at " + site))
            .getString("address");
    return data.resolve(site)
        .resolve("storage")
        .resolve(site)
        .resolve("volumes")
        .resolve(address.substring(address.indexOf('/') + 1) + ".vol");
  }

  /** host:port of an NBD URI. */
  private static String endpoint(String uri) {
    String rest = uri.substring(uri.indexOf("://") + 3);
    return rest.substring(0, rest.indexOf('/'));
  }

  private void qemuIo(String uri, String... commands) throws Exception {
    QemuIo.Result result = QemuIo.run(data.resolve("tls").resolve("client"), uri, commands);
    assertEquals(0, result.exit(), result.output());
    assertFalse(result.output().contains("Pattern verification failed"), result.output());
  }

  private GatewayClient gateway(int httpsPort) throws Exception {
    return new GatewayClient(
        new URL("https://127.0.0.1:" + httpsPort + "/"),
        GatewayClient.trusting(data.resolve("tls").resolve("ca").resolve("ca-cert.pem")));
  }

  private Process launch(Path log, String... command) throws IOException {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    started.add(p);
    return p;
  }
}
