package org.roamstore.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.roamstore.broker.BrokerMain;
import org.roamstore.broker.SiteBroker;
import org.roamstore.runtime.config.ServerCommandFile;

/**
 * The EAR set up on a full server the way README's "Deploying on an application server" says, the
 * same for every server: a fresh domain, the command file rendered for that server ({@code
 * render-server --server NAME --out FILE}, which also makes the broker users' passwords), the
 * site's broker beside it started with the options the rendering gave (its users, so security is
 * on, as with {@code roamstore run}), the EAR deployed once on the bare domain (to be refused: what
 * the refusal says is each server's own), then the command file applied. Closing stops the domain
 * (killing it if need be) and the broker.
 */
final class EarOnServer implements AutoCloseable {
  private final Path dir;
  private final Path data;
  private AsadminDomain domain;
  private SiteBroker broker;
  private int brokerPort;
  private AsadminDomain.Result bareDeploy;

  private EarOnServer(Path dir) {
    this.dir = dir;
    this.data = dir.resolve("data");
  }

  /**
   * The server installed at {@code home}, for {@code render-server --server server} with {@code
   * brokerOptions} (such as {@code --broker-tls required}), under it.dir/server. Whatever it
   * started is stopped again if a step fails.
   */
  static EarOnServer start(Path home, String server, List<String> brokerOptions) throws Exception {
    Path it = Path.of(System.getProperty("it.dir"));
    Path dir = it.resolve(server);
    EarOnServer setup = new EarOnServer(dir);
    try {
      setup.domain = AsadminDomain.start(home, dir);
      Files.createDirectories(setup.data);
      setup.brokerPort = AsadminDomain.freePort();

      Path ear = Path.of(System.getProperty("roamstore.ear"));
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--server",
                  server,
                  "--ear",
                  ear.toString(),
                  "--out",
                  dir.resolve("roamstore-" + server + ".asadmin").toString(),
                  "--data",
                  setup.data.toString(),
                  "--broker-port",
                  String.valueOf(setup.brokerPort),
                  "--nbd-port",
                  "0",
                  "--topology",
                  System.getProperty("roamstore.topology.file")));
      args.addAll(brokerOptions);
      // it.dir holds artemis-rar.rar and lib/h2.jar, as the built dist does.
      ServerCommandFile.Written commands = ServerCommandFile.write(it, args, Map.of());

      List<String> brokerArgs =
          new ArrayList<>(
              List.of(
                  "--data",
                  dir.resolve("broker").toString(),
                  "--host",
                  "127.0.0.1",
                  "--port",
                  String.valueOf(setup.brokerPort)));
      brokerArgs.addAll(commands.brokerArguments());
      setup.broker = BrokerMain.start(brokerArgs);

      setup.bareDeploy = setup.domain.admin("deploy", "--name", "roamstore", ear.toString());

      // multimode goes on past a failed command and still exits 0: every command must succeed.
      AsadminDomain.Result applied =
          setup.domain.admin("multimode", "--file", commands.file().toString());
      assertEquals(0, applied.exit(), applied.output());
      assertFalse(applied.output().contains(" failed."), applied.output());
      return setup;
    } catch (Throwable t) {
      setup.close();
      throw t;
    }
  }

  /** What {@code asadmin deploy} of the EAR answered on the domain without its resources. */
  AsadminDomain.Result bareDeploy() {
    return bareDeploy;
  }

  DemoSystemCheck system() {
    return new DemoSystemCheck(domain.httpPort(), data);
  }

  /**
   * A core client's URL of the broker: with TLS, carrying the site's own stores (a trusted
   * certificate, so that what the broker checks next is the user).
   */
  String brokerUrl() throws IOException {
    String url = plainBrokerUrl();
    if (!brokerTls()) {
      return url;
    }
    Properties stores = brokerStores();
    StringBuilder withTls = new StringBuilder(url).append("?sslEnabled=true&verifyHost=true");
    for (String key :
        List.of("keyStorePath", "keyStorePassword", "trustStorePath", "trustStorePassword")) {
      withTls.append('&').append(key).append('=').append(stores.getProperty(key));
    }
    return withTls.append("&keyStoreType=PKCS12&trustStoreType=PKCS12").toString();
  }

  /** The broker's port over plain TCP. */
  String plainBrokerUrl() {
    return "tcp://127.0.0.1:" + brokerPort;
  }

  boolean brokerTls() {
    return Files.exists(brokerTlsFile());
  }

  private Path brokerTlsFile() {
    return data.resolve("runtime/broker-tls.properties");
  }

  /** The broker's stores and their password, as render-server made them for it. */
  private Properties brokerStores() throws IOException {
    Properties stores = new Properties();
    try (Reader reader = Files.newBufferedReader(brokerTlsFile())) {
      stores.load(reader);
    }
    return stores;
  }

  /**
   * The passwords the command file holds: the server's broker user's (all sites in one: user
   * roamstore) and with TLS the stores'.
   */
  List<String> brokerPasswords() throws IOException {
    List<String> passwords = new ArrayList<>();
    passwords.add(Files.readString(data.resolve("secrets/sites/roamstore.password")).trim());
    if (brokerTls()) {
      passwords.add(brokerStores().getProperty("keyStorePassword"));
    }
    return passwords;
  }

  /** The password of the integrating system the configuration step made (user integration). */
  String integrationPassword() throws IOException {
    return Files.readString(data.resolve("secrets/integrations/integration.password")).trim();
  }

  /** What asadmin printed, every call ({@link AsadminDomain}), and the domain's server log. */
  List<Path> logs() {
    return List.of(dir.resolve("asadmin.log"), serverLog());
  }

  Path serverLog() {
    return domain.serverLog();
  }

  @Override
  public void close() throws Exception {
    try {
      if (domain != null) {
        domain.close();
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }
}
