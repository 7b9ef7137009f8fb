package org.roamstore.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.StringReader;
import java.net.ServerSocket;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.roamstore.broker.SiteBroker;
import org.roamstore.runtime.config.ServerCommandFile;

/**
 * The EAR on a full Payara Server 6, set up the way README's "Deploying on an application server"
 * says: a fresh domain, a broker beside it, and the asadmin command file the project renders
 * (org.roamstore.runtime.config, the same definitions as Payara Micro's post-boot file: the Artemis
 * adapter, the directory's database, the EAR, one storage pool per demo data center). Before that
 * file is applied, the EAR is deployed on the bare domain and must be refused, naming what is
 * missing. Then the whole system runs there: a login over REST moves a primary, qemu-io writes and
 * reads through NBD, and a secondary's volume file holds the data.
 */
class EarOnPayaraServerIT {
  private static final String DOMAIN = "roamstore-it";
  private static final String ADMIN = "admin:roamstore-admin";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path it;
  private static Path data;
  private static Path asadmin;
  private static Path domains;
  private static int portBase;
  private static SiteBroker broker;
  private static AsadminResult bareDeploy;

  private record AsadminResult(int exit, String output) {}

  @BeforeAll
  static void startServerAndApplyTheCommandFile() throws Exception {
    Path home = Path.of(System.getProperty("payara.home"));
    it = Path.of(System.getProperty("it.dir"));
    asadmin = home.resolve("bin/asadmin");
    assertTrue(asadmin.toFile().setExecutable(true), "asadmin is executable");
    // A rerun without clean starts afresh: an old domain or directory would hide a failure.
    for (String old : List.of("domains", "data", "broker", "asadmin.log")) {
      delete(it.resolve(old));
    }
    domains = Files.createDirectories(it.resolve("domains"));
    data = Files.createDirectories(it.resolve("data"));
    portBase = freePortBase();
    int brokerPort = freePort();
    broker = SiteBroker.start(it.resolve("broker"), "127.0.0.1", brokerPort);

    asadminOk(
        "create-domain",
        "--nopassword",
        "--portbase",
        String.valueOf(portBase),
        "--domaindir",
        domains.toString(),
        DOMAIN);
    asadminOk("start-domain", "--domaindir", domains.toString(), DOMAIN);

    Path ear = Path.of(System.getProperty("roamstore.ear"));
    bareDeploy = asadmin(adminPort("deploy", "--name", "roamstore", ear.toString()));

    Path commands = it.resolve("roamstore-server.asadmin");
    Files.writeString(
        commands,
        ServerCommandFile.render(
            it, // holds artemis-rar.rar
            List.of(
                "--ear",
                ear.toString(),
                "--data",
                data.toString(),
                "--broker-port",
                String.valueOf(brokerPort),
                "--nbd-port",
                "0",
                "--topology",
                System.getProperty("roamstore.topology.file")),
            Map.of()));
    // multimode goes on past a failed command and still exits 0: every command must succeed.
    AsadminResult applied = asadmin(adminPort("multimode", "--file", commands.toString()));
    assertEquals(0, applied.exit(), applied.output());
    assertFalse(applied.output().contains(" failed."), applied.output());
  }

  @AfterAll
  static void stopServer() throws Exception {
    try {
      if (asadmin != null && domains != null) {
        asadmin("stop-domain", "--domaindir", domains.toString(), DOMAIN);
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  @Test
  void theEarOnADomainWithoutItsResourcesIsRefusedNamingWhatIsMissing() {
    assertNotEquals(0, bareDeploy.exit(), bareDeploy.output());
    // Payara names the first resource the deployment looked up and did not find, e.g. "JNDI lookup
    // failed for the resource: Name: [...DirectoryStartup/dataSource], Lookup: [jdbc/roamstore],
    // Type: [javax.sql.DataSource]"; which one comes first varies (jms/roamstore or
    // jdbc/roamstore).
    assertTrue(
        java.util.regex.Pattern.compile(
                "JNDI lookup failed for the resource: .*Lookup: \\[(jms|jdbc)/roamstore\\]")
            .matcher(bareDeploy.output())
            .find(),
        "the error names the missing resource: " + bareDeploy.output());
  }

  @Test
  void aLoginMovesThePrimaryAndNbdWritesReachASecondarysVolumeFile() throws Exception {
    HttpResponse<String> info = send("GET", "/api/info", null, null);
    assertEquals(200, info.statusCode(), info.body());
    assertTrue(info.body().contains("\"installation\""), info.body());

    // The demo volume is made once the storage pools exist (the directory retries every 10 s).
    // From Eugene, the nearest of alice-disk's data centers is Portland: its copy becomes primary.
    String login =
        Json.createObjectBuilder()
            .add("user", "alice")
            .add("password", "alice-roams")
            .add("volume", "alice-disk")
            .add("networkInterface", "eugene")
            .build()
            .toString();
    HttpResponse<String>[] answer = new HttpResponse[1];
    Awaitility.await("alice-disk is made and a login succeeds")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> (answer[0] = send("POST", "/api/login", null, login)).statusCode() == 200);
    JsonObject granted = json(answer[0].body());
    assertEquals(
        "portland", granted.getJsonObject("dataCenter").getString("name"), granted.toString());
    String uri = granted.getJsonObject("nbd").getString("uri");

    String io = qemuIo(uri, "write -P 0x5a 65536 65536", "flush", "read -P 0x5a 65536 65536");
    assertTrue(io.contains("read 65536/65536 bytes"), io);

    HttpResponse<String> volume = send("GET", "/api/admin/volumes/alice-disk", ADMIN, null);
    assertEquals(200, volume.statusCode(), volume.body());
    String storageId = json(volume.body()).getString("storageId");
    // alice-disk is SYNC: after the flush, the data is on every secondary's disk.
    for (String secondary : List.of("seattle", "sanfrancisco")) {
      Path file = data.resolve("storage/" + secondary + "/volumes/" + storageId + ".vol");
      byte[] expected = new byte[65536];
      Arrays.fill(expected, (byte) 0x5a);
      Awaitility.await(secondary + "'s volume file holds the write")
          .atMost(Duration.ofSeconds(30))
          .until(() -> Arrays.equals(expected, read(file, 65536, 65536)));
    }
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

  private static HttpResponse<String> send(String method, String path, String basic, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (portBase + 80) + path))
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

  private static JsonObject json(String text) {
    try (JsonReader reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }

  private static String[] adminPort(String... args) {
    List<String> all = new ArrayList<>(List.of("--port", String.valueOf(portBase + 48)));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private static void asadminOk(String... args) throws IOException, InterruptedException {
    AsadminResult result = asadmin(args);
    assertEquals(0, result.exit(), "asadmin " + String.join(" ", args) + ":\n" + result.output());
  }

  /** Runs asadmin; its output is also appended to it.dir/asadmin.log. */
  private static AsadminResult asadmin(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(asadmin.toString(), "--interactive=false"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(300, TimeUnit.SECONDS), "asadmin " + args[0] + " finishes");
    Files.writeString(
        it.resolve("asadmin.log"),
        "$ asadmin " + String.join(" ", args) + "\n" + output + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    return new AsadminResult(process.exitValue(), output);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A base whose admin (+48) and HTTP (+80) ports, among others up to +100, are free. */
  private static int freePortBase() throws IOException {
    for (int base = 28000; base < 40000; base += 100) {
      if (free(base + 48) && free(base + 80) && free(base + 81) && free(base + 86)) {
        return base;
      }
    }
    throw new IllegalStateException("no free port base for Payara Server");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
