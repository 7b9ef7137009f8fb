package org.roamstore.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.roamstore.broker.SiteBroker;
import org.roamstore.runtime.config.ServerCommandFile;

/**
 * The EAR set up on a full server the way README's "Deploying on an application server" says, the
 * same for every server: a fresh domain, a broker beside it, the EAR deployed once on the bare
 * domain (to be refused: what the refusal says is each server's own), then the command file
 * rendered for that server ({@code render-server --server NAME}) applied. Closing stops the domain
 * (killing it if need be) and the broker.
 */
final class EarOnServer implements AutoCloseable {
  private final Path data;
  private AsadminDomain domain;
  private SiteBroker broker;
  private AsadminDomain.Result bareDeploy;

  private EarOnServer(Path data) {
    this.data = data;
  }

  /**
   * The server installed at {@code home}, for {@code render-server --server server}, under
   * it.dir/server. Whatever it started is stopped again if a step fails.
   */
  static EarOnServer start(Path home, String server) throws Exception {
    Path it = Path.of(System.getProperty("it.dir"));
    Path dir = it.resolve(server);
    EarOnServer setup = new EarOnServer(dir.resolve("data"));
    try {
      setup.domain = AsadminDomain.start(home, dir);
      Files.createDirectories(setup.data);
      int brokerPort = AsadminDomain.freePort();
      setup.broker = SiteBroker.start(dir.resolve("broker"), "127.0.0.1", brokerPort);

      Path ear = Path.of(System.getProperty("roamstore.ear"));
      setup.bareDeploy = setup.domain.admin("deploy", "--name", "roamstore", ear.toString());

      Path commands = dir.resolve("roamstore-" + server + ".asadmin");
      List<String> args =
          List.of(
              "--server",
              server,
              "--ear",
              ear.toString(),
              "--data",
              setup.data.toString(),
              "--broker-port",
              String.valueOf(brokerPort),
              "--nbd-port",
              "0",
              "--topology",
              System.getProperty("roamstore.topology.file"));
      // it.dir holds artemis-rar.rar and lib/h2.jar, as the built dist does.
      Files.writeString(commands, ServerCommandFile.render(it, args, Map.of()));
      // multimode goes on past a failed command and still exits 0: every command must succeed.
      AsadminDomain.Result applied = setup.domain.admin("multimode", "--file", commands.toString());
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
