package org.roamstore.ear;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The same EAR on GlassFish 7, the second Jakarta EE 10 server, set up as README's "GlassFish 7"
 * says ({@link EarOnServer}): a fresh domain, a broker beside it, and the command file rendered for
 * GlassFish ({@code render-server --server glassfish}: H2 added as a library first, then the same
 * resources as on Payara Server). The EAR is the one Payara Server runs: its message-driven beans
 * name artemis-rar in glassfish-ejb-jar.xml, and the gateway runs without metrics where
 * MicroProfile Metrics is missing. The bare domain's refusal and the whole system are checked as on
 * Payara ({@link EarOnServerChecks}).
 */
class EarOnGlassFishIT extends EarOnServerChecks {
  @Override
  Path home() {
    return Path.of(System.getProperty("glassfish.home"));
  }

  @Override
  String serverName() {
    return "glassfish";
  }

  /**
   * As on Payara, without brackets: "JNDI lookup failed for the resource: Name:
   * java:comp/env/...DirectoryRequestConsumer/connectionFactory, Lookup: jms/roamstore, Type:
   * jakarta.jms.ConnectionFactory"; which resource comes first may vary (jms/roamstore,
   * jms/roamstoreEvents or jdbc/roamstore).
   */
  @Override
  Pattern refusal() {
    return Pattern.compile(
        "JNDI lookup failed for the resource: .*Lookup: (jms/roamstore(Events)?|jdbc/roamstore),"
            + " Type:");
  }
}
