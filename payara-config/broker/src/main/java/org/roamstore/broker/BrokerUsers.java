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
import javax.security.auth.Subject;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.apache.activemq.artemis.spi.core.security.jaas.NoCacheLoginException;
import org.roamstore.storage.api.Destinations;
import org.roamstore.storage.api.Names;

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

  private final Path secrets;
  private final String server;
  private final String serverPassword;
  private final Map<String, String> peers;
  private final Map<String, String> integrations;

  /** The login module's users; peers learnt while the broker runs are added to it. */
  private final SecurityConfiguration logins = new SecurityConfiguration();

  private BrokerUsers(
      Path secrets,
      String server,
      String serverPassword,
      Map<String, String> peers,
      Map<String, String> integrations) {
    this.secrets = secrets;
    this.server = server;
    this.serverPassword = serverPassword;
    this.peers = peers;
    this.integrations = integrations;
    logins.addUser(server, serverPassword);
    logins.addRole(server, "server");
    peers.forEach(this::addLogin);
    integrations.forEach(
        (name, password) -> {
          logins.addUser(name, password);
          logins.addRole(name, INTEGRATION_ROLE);
        });
  }

  private void addLogin(String peer, String password) {
    logins.addUser(peer, password);
    logins.addRole(peer, peerRole(peer));
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
    return new BrokerUsers(secrets, server, serverPassword, peerPasswords, integrations);
  }

  static Path sitePassword(Path secrets, String site) {
    return secrets.resolve("sites").resolve(site + ".password");
  }

  /** Where the passwords are, and the addresses of peers ({@link PeerWatch}). */
  Path secrets() {
    return secrets;
  }

  /** The peer sites whose bridges may deliver here. */
  synchronized Set<String> peers() {
    return Set.copyOf(peers.keySet());
  }

  /**
   * Lets a peer site learnt while the broker runs log in (its password read from its file, as at
   * start) and deliver to this site's inbound addresses; returns the address rules to apply.
   *
   * @throws IllegalArgumentException when its password file is missing or others may read it, or an
   *     integrating system has its name
   */
  synchronized Map<String, Set<Role>> addPeer(String peer) {
    if (peer.equals(server) || peers.containsKey(peer)) {
      throw new IllegalArgumentException(peer + " is a site of this broker already");
    }
    if (integrations.containsKey(peer)) {
      throw new IllegalArgumentException(peer + ": an integrating system has that name");
    }
    String password = SecretFile.password(sitePassword(secrets, peer));
    peers.put(peer, password);
    addLogin(peer, password);
    return inboundRules();
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
    inboundRules().forEach(config::putSecurityRoles);
  }

  /** A peer's bridges deliver to this site's inbound queues only (they consume nothing here). */
  private synchronized Map<String, Set<Role>> inboundRules() {
    Set<Role> inbound = new HashSet<>(Set.of(all("server")));
    for (String peer : peers.keySet()) {
      inbound.add(
          new Role(
              peerRole(peer), true, false, true, false, false, false, false, false, true, false));
    }
    Map<String, Set<Role>> rules = new LinkedHashMap<>();
    for (String address : inboundAddresses(this.server)) {
      rules.put(address, Set.copyOf(inbound));
    }
    return rules;
  }

  /** The login module's users: passwords and roles, in memory only. */
  ActiveMQSecurityManager securityManager() {
    return new SiteLogins();
  }

  /**
   * What a login by a user this broker does not know runs first: the look for peers that joined
   * ({@link PeerWatch#look}), so that a joining site's first login finds its user however soon
   * after its files arrived it comes. Artemis stops every bridge of a broker one of whose bridges
   * was refused a login (AMQ224058), so a joining site must not be refused while this broker has
   * not looked yet.
   */
  void beforeUnknownLogin(Runnable look) {
    this.beforeUnknownLogin = look;
  }

  private volatile Runnable beforeUnknownLogin;

  private synchronized boolean knows(String user) {
    return user.equals(server) || peers.containsKey(user) || integrations.containsKey(user);
  }

  /** The in-memory logins, and a look for a joined peer before an unknown site's login. */
  private final class SiteLogins extends ActiveMQJAASSecurityManager {
    SiteLogins() {
      super(InVMLoginModule.class.getName(), logins);
    }

    @Override
    public Subject authenticate(
        String user, String password, RemotingConnection connection, String securityDomain)
        throws NoCacheLoginException {
      Runnable look = beforeUnknownLogin;
      // Only a valid site name with a peer file: a stranger's made-up names cost no more than a
      // file's existence each.
      if (look != null
          && user != null
          && Names.isValid(user)
          && !knows(user)
          && Files.exists(PeerWatch.peerFile(secrets, user))) {
        look.run();
      }
      return super.authenticate(user, password, connection, securityDomain);
    }
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
