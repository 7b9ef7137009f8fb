package org.roamstore.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.roamstore.broker.SiteBroker;

/**
 * The EAR on a full Payara Server 6: a fresh domain, the Artemis adapter and a broker beside it,
 * the directory's database, then the EAR; one endpoint answers.
 */
class EarOnPayaraServerIT {
  private static final String DOMAIN = "roamstore-it";
  private static Path asadmin;
  private static Path domains;
  private static int portBase;
  private static SiteBroker broker;

  @BeforeAll
  static void startServerAndDeploy() throws Exception {
    Path home = Path.of(System.getProperty("payara.home"));
    Path it = Path.of(System.getProperty("it.dir"));
    asadmin = home.resolve("bin/asadmin");
    assertTrue(asadmin.toFile().setExecutable(true), "asadmin is executable");
    domains = Files.createDirectories(it.resolve("domains"));
    portBase = freePortBase();
    int brokerPort = freePort();
    broker = SiteBroker.start(it.resolve("broker"), "127.0.0.1", brokerPort);

    asadmin(
        "create-domain",
        "--nopassword",
        "--portbase",
        String.valueOf(portBase),
        "--domaindir",
        domains.toString(),
        DOMAIN);
    asadmin("start-domain", "--domaindir", domains.toString(), DOMAIN);

    // multimode reads its file through one more level of unescaping than Payara Micro's
    // command files, so property values escape ':' and '=' with two backslashes here.
    Path commands = it.resolve("ear-resources.asadmin");
    Files.writeString(
        commands,
        String.join(
            "\n",
            "create-resource-adapter-config --property ConnectionParameters=host\\\\=127.0.0.1;port\\\\="
                + brokerPort
                + " artemis-rar",
            "deploy --name artemis-rar --type rar " + System.getProperty("artemis.rar"),
            "create-connector-connection-pool --raname artemis-rar --connectiondefinition"
                + " jakarta.jms.ConnectionFactory --transactionsupport XATransaction --ping false"
                + " jms-roamstore-pool",
            "create-connector-resource --poolname jms-roamstore-pool jms/roamstore",
            "create-jdbc-connection-pool --datasourceclassname org.h2.jdbcx.JdbcDataSource"
                + " --restype javax.sql.DataSource --property url=jdbc\\\\:h2\\\\:file\\\\:"
                + it.resolve("directory/roamstore")
                + " directory-pool",
            "create-jdbc-resource --connectionpoolid directory-pool jdbc/roamstore",
            "deploy --name roamstore " + System.getProperty("roamstore.ear"),
            ""));
    asadmin("--port", String.valueOf(portBase + 48), "multimode", "--file", commands.toString());
  }

  @AfterAll
  static void stopServer() throws Exception {
    try {
      if (asadmin != null) {
        asadmin("stop-domain", "--domaindir", domains.toString(), DOMAIN);
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  @Test
  void theEarServesTheGatewaysInfoEndpoint() throws Exception {
    HttpResponse<String> info =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + (portBase + 80) + "/api/info"))
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, info.statusCode(), info.body());
    assertTrue(info.body().contains("\"name\":\"Roamstore\""), info.body());
    assertTrue(info.body().contains("\"installation\""), info.body());
  }

  private static void asadmin(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(asadmin.toString(), "--interactive=false"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(
                    Path.of(System.getProperty("it.dir"), "asadmin.log").toFile()))
            .start();
    assertTrue(process.waitFor(300, TimeUnit.SECONDS), "asadmin " + args[0] + " finishes");
    assertEquals(
        0,
        process.exitValue(),
        "asadmin "
            + String.join(" ", args)
            + " failed; see "
            + System.getProperty("it.dir")
            + "/asadmin.log");
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
