package org.roamstore.ear;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The EAR on a full Payara Server 6, set up the way README's "Deploying on an application server"
 * says ({@link EarOnServer}): a fresh domain, a broker beside it, and the asadmin command file the
 * project renders (org.roamstore.runtime.config, the same definitions as Payara Micro's post-boot
 * file: the Artemis adapter, the directory's database, the EAR, one storage pool per demo data
 * center). Before that file is applied, the EAR is deployed on the bare domain and must be refused,
 * naming what is missing. Then the whole system runs there ({@link EarOnServerChecks}), its broker
 * with users and TLS.
 */
class EarOnPayaraServerIT extends EarOnServerChecks {
  @Override
  Path home() {
    return Path.of(System.getProperty("payara.home"));
  }

  @Override
  String serverName() {
    return "payara";
  }

  /**
   * The broker with TLS as well as users (GlassFish's test keeps plain TCP): the adapter, the event
   * factory and the storage connector present the site's certificate of the demo CA.
   */
  @Override
  List<String> brokerOptions() {
    return List.of("--broker-tls", "required");
  }

  /**
   * Payara names the first resource the deployment looked up and did not find, e.g. "JNDI lookup
   * failed for the resource: Name: [...DirectoryStartup/dataSource], Lookup: [jdbc/roamstore],
   * Type: [javax.sql.DataSource]"; which one comes first varies (jms/roamstore, jms/roamstoreEvents
   * or jdbc/roamstore).
   */
  @Override
  Pattern refusal() {
    return Pattern.compile(
        "JNDI lookup failed for the resource: .*Lookup:"
            + " \\[(jms/roamstore(Events)?|jdbc/roamstore)\\]");
  }
}
