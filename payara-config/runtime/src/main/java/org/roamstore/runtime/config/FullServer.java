package org.roamstore.runtime.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The full Jakarta EE 10 servers a command file is rendered for ({@code render-server --server}).
 * Both take the same asadmin commands and escaping; they differ in what the server lacks.
 */
public enum FullServer {
  /** Payara Server 6: has H2 and MicroProfile, so the file holds only Roamstore's resources. */
  PAYARA,
  /**
   * GlassFish 7: ships Derby, not H2, so the directory's JDBC driver is added first (the EAR's
   * MicroProfile Metrics are left out by the gateway itself, see the gateway's metrics package).
   */
  GLASSFISH;

  static FullServer parse(String value) throws ConfigException {
    for (FullServer server : values()) {
      if (server.name().toLowerCase(Locale.ROOT).equals(value)) {
        return server;
      }
    }
    throw new ConfigException("--server: payara or glassfish, not '" + value + "'");
  }

  /**
   * What the server needs before Roamstore's resources. {@code add-library --type common} puts the
   * driver on the server's common class loader at once (GlassFish 7.0.21: the pool created next
   * pings without a restart, measured).
   */
  List<AsadminCommand> prerequisites(RunSettings run) throws ConfigException {
    if (this == PAYARA) {
      return List.of();
    }
    Path driver = run.dist().resolve(run.jdbc().postgres() ? "lib/postgresql.jar" : "lib/h2.jar");
    if (!Files.isRegularFile(driver)) {
      throw new ConfigException(
          "--dist: no JDBC driver " + driver + " (mvn package builds it into the dist's lib/)");
    }
    CommandFile.checkWord("--dist", driver.toString());
    return List.of(
        AsadminCommand.of("add-library").option("--type", "common").operand(driver.toString()));
  }
}
