package org.roamstore.ear;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every full server must show with the EAR ({@link EarOnServer}): the EAR on the bare domain
 * is refused, naming what is missing (in the server's own words, {@link #refusal}); with the
 * rendered command file applied, a login over REST moves a primary, qemu-io writes and reads
 * through NBD, and the secondaries' volume files hold the data. One server per test class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EarOnServerChecks {
  private EarOnServer server;

  /** Where the server is installed (unpacked by the build under target/). */
  abstract Path home();

  /** {@code render-server --server}'s name for it. */
  abstract String serverName();

  /** What the refused deployment on the bare domain must say. */
  abstract Pattern refusal();

  @BeforeAll
  void startServerAndApplyTheCommandFile() throws Exception {
    server = EarOnServer.start(home(), serverName());
  }

  @AfterAll
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theEarOnADomainWithoutItsResourcesIsRefusedNamingWhatIsMissing() {
    AsadminDomain.Result bareDeploy = server.bareDeploy();
    assertNotEquals(0, bareDeploy.exit(), bareDeploy.output());
    assertTrue(
        refusal().matcher(bareDeploy.output()).find(),
        "the error names the missing resource: " + bareDeploy.output());
  }

  @Test
  void aLoginMovesThePrimaryAndNbdWritesReachASecondarysVolumeFile() throws Exception {
    DemoSystemCheck system = server.system();
    system.gatewayAnswers();
    system.aLoginMovesThePrimaryAndNbdWritesReachTheSecondaries();
  }
}
