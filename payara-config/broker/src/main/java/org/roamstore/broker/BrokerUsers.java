package org.roamstore.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.roamstore.storage.api.Destinations;

/**
 * Who may log in to a site's broker and what each may reach. Three kinds of user, each with a role
 * of its own:
 *
 * <ul>
 *   <li>the site's own server (its Payara Micro: the Artemis resource adapter and the storage
 *       connector), logging in as the site (or {@link #ALL_IN_ONE}) with role {@code server}:
 *       everything;
 *   <li>each peer site, whose bridges log in as that site (role {@code site-NAME}): they may only
 *       deliver to this site's inbound acknowledgement and control queues ({@link
 *       Destinations#SITE_PREFIXES} followed by this site's name) and to the write data addresses
 *       ({@link Destinations#WRITE_DATA_ADDRESSES}), where a batch goes to the queues of the sites
 *       its route names: this site's subscription, and this broker's queues for other peers if a
 *       peer named them (which a bridge never does, see {@link PeerRoute});
 *   <li>each integrating system (role {@code integration}): the directory's request queue, its
 *       events topic, and reply queues of their own; never an address under {@code roamstore.}
 *       otherwise, nor the dead letter and management addresses.
 * </ul>
 *
 * <p>Passwords come from owner-only files in a secrets directory: {@code sites/NAME.password} for
 * this site and every peer, {@code integrations/NAME.password} for each integrating system.
 */
public final class BrokerUsers {
  /** The server's user name when one broker serves every site (the all-in-one run). */
  public static final String ALL_IN_ONE = "roamstore";

  static final String INTEGRATION_ROLE = "integration";

  private final String server;
  private final String serverPassword;
  private final Map<String, String> peers;
  private final Map<String, String> integrations;

  private BrokerUsers(
      String server,
      String serverPassword,
      Map<String, String> peers,
      Map<String, String> integrations) {
    this.server = server;
    this.serverPassword = serverPassword;
    this.peers = peers;
    this.integrations = integrations;
  }

  /**
   * Reads every password the broker of {@code site} needs from {@code secrets}.
   *
   * @param site this broker's site, or null when one broker serves every site
   * @param peers the other sites, whose bridges deliver here
   */
  public static BrokerUsers load(Path secrets, String site, Collection<String> peers) {
    if (!Files.isDirectory(secrets)) {
      throw new IllegalArgumentException(secrets + ": no such secrets directory");
    }
    String server = site == null ? ALL_IN_ONE : site;
    String serverPassword = SecretFile.password(sitePassword(secrets, server));
    Map<String, String> peerPasswords = new LinkedHashMap<>();
    for (String peer : peers) {
      peerPasswords.put(peer, SecretFile.password(sitePassword(secrets, peer)));
    }
    Map<String, String> integrations = new LinkedHashMap<>();
    Path dir = secrets.resolve("integrations");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.sorted().toList()) {
          String name = file.getFileName().toString();
          if (name.endsWith(".password")) {
            String user = name.substring(0, name.length() - ".password".length());
            if (user.equals(server) || peerPasswords.containsKey(user)) {
              throw new IllegalArgumentException(
                  file + ": an integrating system cannot have a site's name");
            }
            integrations.put(user, SecretFile.password(file));
          }
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(dir + ": cannot list it: " + e.getMessage(), e);
      }
    }
    return new BrokerUsers(server, serverPassword, peerPasswords, integrations);
  }

  static Path sitePassword(Path secrets, String site) {
    return secrets.resolve("sites").resolve(site + ".password");
  }

  /** The user this site's bridges log in as at a peer's broker. */
  String bridgeUser() {
    return server;
  }

  String bridgePassword() {
    return serverPassword;
  }

  /** Turns security on in {@code config}: the address rules of every role. */
  void configure(Configuration config) {
    config.setSecurityEnabled(true);
    // Artemis lets its cluster user in with every right, and its default password is public.
    // Nothing here clusters: a random password nobody knows closes that door.
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    config.setClusterPassword(HexFormat.of().formatHex(random));
    Role server = all("server");
    Role integration =
        new Role(INTEGRATION_ROLE, true, true, true, false, true, true, false, true, true, false);
    Role integrationSends =
        new Role(
            INTEGRATION_ROLE, true, false, true, false, false, false, false, false, true, false);
    Role integrationSubscribes =
        new Role(INTEGRATION_ROLE, false, true, true, true, true, true, false, false, true, false);
    // Artemis takes the most specific match alone; each rule lists every role it lets in.
    config.putSecurityRoles("#", Set.of(server, integration));
    config.putSecurityRoles(Destinations.ALL_MATCH, Set.of(server));
    config.putSecurityRoles("DLQ", Set.of(server));
    config.putSecurityRoles("ExpiryQueue", Set.of(server));
    config.putSecurityRoles("activemq.#", Set.of(server));
    config.putSecurityRoles("$sys.#", Set.of(server));
    config.putSecurityRoles(Destinations.DIRECTORY_REQUESTS, Set.of(server, integrationSends));
    config.putSecurityRoles(Destinations.EVENTS, Set.of(server, integrationSubscribes));
    // A peer's bridges deliver to this site's inbound queues only (they consume nothing here).
    Set<Role> inbound = new HashSet<>(Set.of(server));
    for (String peer : peers.keySet()) {
      inbound.add(
          new Role(
              peerRole(peer), true, false, true, false, false, false, false, false, true, false));
    }
    for (String address : inboundAddresses(this.server)) {
      config.putSecurityRoles(address, inbound);
    }
  }

  /** The login module's users: passwords and roles, in memory only. */
  ActiveMQSecurityManager securityManager() {
    SecurityConfiguration users = new SecurityConfiguration();
    users.addUser(server, serverPassword);
    users.addRole(server, "server");
    peers.forEach(
        (peer, password) -> {
          users.addUser(peer, password);
          users.addRole(peer, peerRole(peer));
        });
    integrations.forEach(
        (name, password) -> {
          users.addUser(name, password);
          users.addRole(name, INTEGRATION_ROLE);
        });
    return new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users);
  }

  /** User names by kind, for the start-up line (never a password). */
  String describe() {
    return "users: "
        + server
        + " (server)"
        + (peers.isEmpty() ? "" : ", " + String.join(", ", peers.keySet()) + " (peer sites)")
        + (integrations.isEmpty()
            ? ""
            : ", " + String.join(", ", integrations.keySet()) + " (integrating systems)");
  }

  static String peerRole(String peer) {
    return "site-" + peer;
  }

  private static Role all(String name) {
    return new Role(name, true, true, true, true, true, true, true, true, true, true, true, true);
  }

  static List<String> inboundAddresses(String site) {
    List<String> inbound = new java.util.ArrayList<>(Destinations.WRITE_DATA_ADDRESSES);
    Destinations.SITE_PREFIXES.forEach(prefix -> inbound.add(prefix + site));
    return inbound;
  }
}
