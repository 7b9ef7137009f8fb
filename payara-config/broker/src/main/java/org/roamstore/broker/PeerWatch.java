package org.roamstore.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.core.config.BridgeConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.roamstore.storage.api.Names;

/**
 * Peers learnt while the broker runs: a site that joins a running multi-site system is bridged to
 * without restarting the brokers already there.
 *
 * <p>How a broker learns of a peer: from its own secrets directory. Each site's broker writes
 * {@code sites/<site>.peer} there at start (its {@code host:port}, owner-only, beside its {@code
 * sites/<site>.password}); every site's broker looks at {@code sites/} every {@link #PERIOD} and
 * adds as peers the sites that have both files and that it does not know yet. That is the trust the
 * brokers already have: a peer logs in with the password in that directory, which an operator
 * copies to every data center ({@code multi} shares one), so a site that is not there cannot join,
 * and one that is joins the moment its files arrive. (The other ways weighed: a hello sent by the
 * new site over its bridge would need the receiving broker to accept a login it cannot check yet,
 * or a second secret to sign it with; reading the sites from the shared directory's database would
 * give every broker a database login and still no password to check.)
 *
 * <p>A new peer gets what a {@code --peer} gets at start ({@link SiteBridges#routes}): its login
 * and role, the right to deliver to this site's inbound addresses, the queues of its messages here
 * and a bridge from each. A peer known already is never changed: a different address in its file is
 * logged, and takes a restart with {@code --peer}. Added peers live in memory; after a restart the
 * first look adds them again, and their queues (durable) kept what was waiting.
 */
final class PeerWatch implements AutoCloseable {
  static final Duration PERIOD = Duration.ofSeconds(2);
  static final String PEER_FILE = ".peer";

  private final ActiveMQServer server;
  private final String site;
  private final BrokerUsers users;
  private final BrokerTls tls;
  private final Map<String, String> addresses;
  private final Map<String, String> reported = new HashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "roamstore-broker-peer-watch");
            thread.setDaemon(true);
            return thread;
          });

  private PeerWatch(
      ActiveMQServer server,
      String site,
      Map<String, String> peers,
      BrokerUsers users,
      BrokerTls tls) {
    this.server = server;
    this.site = site;
    this.users = users;
    this.tls = tls;
    this.addresses = new LinkedHashMap<>(peers);
  }

  /**
   * Looks for new peers now, every {@link #PERIOD}, and before a login by a user with a peer file
   * that this broker does not know yet.
   */
  static PeerWatch start(
      ActiveMQServer server,
      String site,
      Map<String, String> peers,
      BrokerUsers users,
      BrokerTls tls) {
    PeerWatch watch = new PeerWatch(server, site, peers, users, tls);
    users.beforeUnknownLogin(watch::look);
    watch.timer.scheduleWithFixedDelay(watch::look, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return watch;
  }

  static Path peerFile(Path secrets, String site) {
    return secrets.resolve("sites").resolve(site + PEER_FILE);
  }

  /**
   * Says where this site's broker is, in {@code sites/<site>.peer} of the secrets directory, before
   * its bridges start: a peer that has not met this site yet looks for the file when the first
   * bridge logs in. Not written when it listens on every interface, an address no peer can dial.
   */
  static void announce(Path secrets, String site, String host, int port) {
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      System.out.println(
          "roamstore broker: listening on every interface, so "
              + peerFile(secrets, site)
              + " is not written; give --host the address the other sites dial");
      return;
    }
    Path file = peerFile(secrets, site);
    String content = host + ":" + port + "\n";
    try {
      if (Files.isRegularFile(file)
          && Files.readString(file, StandardCharsets.US_ASCII).equals(content)) {
        return;
      }
      Path temporary = file.resolveSibling(file.getFileName() + ".new");
      Files.deleteIfExists(temporary);
      Files.createFile(
          temporary,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temporary, content, StandardCharsets.US_ASCII);
      Files.move(
          temporary,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      System.err.println("roamstore broker: cannot write " + file + ": " + e);
    }
  }

  /** One look at {@code sites/}; what fails is said once and tried again at the next look. */
  synchronized void look() {
    Path dir = users.secrets().resolve("sites");
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(PEER_FILE)).sorted().toList();
    } catch (IOException e) {
      reportOnce(dir.toString(), "cannot list " + dir + ": " + e);
      return;
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      String peer = name.substring(0, name.length() - PEER_FILE.length());
      if (peer.equals(site) || !Names.isValid(peer)) {
        continue;
      }
      try {
        String address = SecretFile.password(file).strip();
        String known = addresses.get(peer);
        if (known == null) {
          add(peer, address);
        } else if (!known.equals(address)) {
          reportOnce(
              peer,
              "peer "
                  + peer
                  + " is at "
                  + known
                  + "; "
                  + file
                  + " says "
                  + address
                  + ", which takes a restart with --peer "
                  + peer
                  + "="
                  + address);
        }
      } catch (RuntimeException e) {
        reportOnce(peer, "peer " + peer + " not added: " + e.getMessage());
      }
    }
  }

  /** Its login first, then the queues and the bridges that log in to its broker. */
  private void add(String peer, String address) {
    SiteBridges.Routes routes = SiteBridges.routes(site, peer, address, users, tls);
    // A look whose queues failed added the login already; the next one adds what is missing.
    if (!users.peers().contains(peer)) {
      Map<String, Set<Role>> rules = users.addPeer(peer);
      rules.forEach((match, roles) -> server.getSecurityRepository().addMatch(match, roles));
    }
    server.getConfiguration().addConnectorConfiguration(routes.connector(), routes.transport());
    try {
      for (QueueConfiguration queue : SiteBridges.ownSubscriptions(site)) {
        server.createQueue(queue, true);
      }
      for (QueueConfiguration queue : routes.queues()) {
        server.createQueue(queue, true);
      }
      for (BridgeConfiguration bridge : routes.bridges()) {
        server.deployBridge(bridge);
      }
    } catch (Exception e) {
      // Its login stays and the next look tries again (queues that exist are kept, and a queue
      // without its bridge keeps its messages).
      throw new IllegalStateException("its queues or bridges: " + e, e);
    }
    addresses.put(peer, address);
    System.out.println(
        "roamstore broker: peer " + peer + " joined at " + address + " (bridges to it started)");
  }

  private void reportOnce(String key, String message) {
    if (!message.equals(reported.put(key, message))) {
      System.err.println("roamstore broker: " + message);
    }
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdownNow();
    timer.awaitTermination(10, TimeUnit.SECONDS);
  }
}
