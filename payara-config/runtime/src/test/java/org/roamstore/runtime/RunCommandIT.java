package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs Roamstore the way README's run command does, stops it, and runs it again on its data. */
class RunCommandIT {
  private static final Pattern INSTALLATION = Pattern.compile("\"installation\":\"([^\"]+)\"");

  private final HttpClient http = HttpClient.newHttpClient();
  private RunCommand running;

  @AfterEach
  void stopWhateverRuns() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void theRunCommandServesTheGatewayAndARestartKeepsTheData() throws Exception {
    Path data = Path.of(System.getProperty("it.data") + "-run");
    int httpPort = freePort();
    int brokerPort = freePort();

    running = RunCommand.start(data, httpPort, brokerPort, 1);
    String url = running.url;
    HttpResponse<String> home = get(url);
    assertEquals(200, home.statusCode());
    assertTrue(home.body().contains("Roamstore"), home.body());
    assertTrue(home.body().contains("San Francisco"), "the demo sites are listed");
    String firstInstallation = installation(url);
    // Both JVMs run with the heap and GC settings the launcher sized; the broker exits on OOM.
    String broker = commandLine(data.resolve("broker.pid"));
    assertTrue(broker.matches("(?s).*\\n-Xmx[0-9]+m\\n.*"), broker);
    assertTrue(broker.contains("\n-XX:+ExitOnOutOfMemoryError\n"), broker);
    assertTrue(broker.contains("\n-XX:+UseG1GC\n"), broker);
    String payara = commandLine(data.resolve("payara.pid"));
    assertTrue(payara.matches("(?s).*\\n-Xmx[0-9]+m\\n.*"), payara);
    assertTrue(
        payara.contains("\n-XX:MaxDirectMemorySize=1024m\n"), "three units' caches: " + payara);
    stop(httpPort, brokerPort);
    Path logs = data.resolve("logs");
    String firstPayaraLog = Files.readString(logs.resolve("payara.log"));
    String firstBrokerLog = Files.readString(logs.resolve("broker.log"));
    assertFalse(firstPayaraLog.isEmpty());

    running = RunCommand.start(data, httpPort, brokerPort, 2);
    String again = running.url;
    assertEquals(
        firstInstallation, installation(again), "the same directory is found after the restart");
    assertEquals(
        firstPayaraLog,
        Files.readString(logs.resolve("payara.log.1")),
        "the first run's Payara log is kept");
    assertEquals(
        firstBrokerLog,
        Files.readString(logs.resolve("broker.log.1")),
        "the first run's broker log is kept");
    assertTrue(get(again + "api/sites").body().contains("\"portland\""));
    stop(httpPort, brokerPort);
  }

  @Test
  void aBadTopologyOrOptionIsRefusedByNameBeforeAnythingStarts() throws Exception {
    Path data = Path.of(System.getProperty("it.data") + "-refused");
    Path topology = Files.createDirectories(data).resolve("topology.json");
    Files.writeString(topology, "{\"dataCenters\": [\n  {\"name\": \"x\"}\n]}\n");
    String refused = refusal(data, "--topology", topology.toString());
    assertTrue(
        refused.contains("line 2: dataCenters[0].displayName: missing"),
        "names line and field: " + refused);
    assertEquals(
        "roamstore: --nbd-tls: off, optional or required, not 'sometimes'\n",
        refusal(data, "--nbd-tls", "sometimes"));
    assertFalse(Files.exists(data.resolve("logs/broker.log")), "no broker was started");
    assertFalse(Files.exists(data.resolve("runtime/post-boot.asadmin")), "nothing was rendered");
  }

  /** A process's command line, one argument per line, from the pid file the launcher wrote. */
  private static String commandLine(Path pidFile) throws IOException {
    String pid = Files.readString(pidFile).strip();
    return "\n" + Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', '\n');
  }

  /** What the run command prints when it refuses to start (it must exit at once, with status 1). */
  private static String refusal(Path data, String... options) throws Exception {
    java.util.List<String> command =
        new java.util.ArrayList<>(
            java.util.List.of(
                "bash",
                System.getProperty("roamstore.launcher"),
                "run",
                "--data",
                data.toString()));
    command.addAll(java.util.List.of(options));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "refuses within 60 s");
    assertEquals(1, p.exitValue(), out);
    return out;
  }

  private void stop(int httpPort, int brokerPort) throws Exception {
    running.stop();
    assertFalse(listening(httpPort), "the gateway port is closed after the stop");
    assertFalse(listening(brokerPort), "the broker port is closed after the stop");
  }

  private String installation(String url) throws Exception {
    HttpResponse<String> info = get(url + "api/info");
    assertEquals(200, info.statusCode(), info.body());
    Matcher m = INSTALLATION.matcher(info.body().replace(" ", ""));
    assertTrue(m.find(), info.body());
    return m.group(1);
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static boolean listening(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
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
