package org.roamstore.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a site's broker until the process is stopped: {@code BrokerMain --data DIR [--host H]
 * [--port P] [--site NAME --peer SITE=HOST:PORT ...] [--secrets DIR] [--tls FILE]}. With peers,
 * messages for those sites are stored here and forwarded to their brokers. With {@code --secrets},
 * only the users of {@link BrokerUsers} log in; with {@code --tls}, the acceptor and the bridges
 * speak TLS ({@link BrokerTls}). Passwords are read from those owner-only files, never taken from
 * the command line.
 */
public final class BrokerMain {
  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    // Artemis audits every send at INFO; that is noise for a storage system's write path.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.audit", "off");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    // Start-up and lock messages ("waiting to obtain primary lock") tell an operator what it waits
    // on.
    System.setProperty(
        "org.slf4j.simpleLogger.log.org.apache.activemq.artemis.core.server", "info");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");

    Path data = Path.of("data/broker");
    String host = "127.0.0.1";
    int port = 61616;
    String site = null;
    Map<String, String> peers = new LinkedHashMap<>();
    Path secrets = null;
    Path tlsFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--site" -> site = args[++i];
        case "--secrets" -> secrets = Path.of(args[++i]);
        case "--tls" -> tlsFile = Path.of(args[++i]);
        case "--peer" -> {
          String[] peer = args[++i].split("=", 2);
          if (peer.length != 2) {
            usage();
          }
          peers.put(peer[0], peer[1]);
        }
        default -> usage();
      }
    }
    if (!peers.isEmpty() && site == null) {
      usage();
    }
    BrokerUsers users;
    BrokerTls tls;
    try {
      users = secrets == null ? null : BrokerUsers.load(secrets, site, peers.keySet());
      tls = tlsFile == null ? null : BrokerTls.load(tlsFile);
    } catch (IllegalArgumentException e) {
      System.err.println("roamstore broker: " + e.getMessage());
      System.exit(2);
      return;
    }
    SiteBroker broker = SiteBroker.start(data, host, port, site, peers, users, tls);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    broker.close();
                  } catch (Exception e) {
                    System.err.println("broker did not stop cleanly: " + e);
                  }
                  stopped.countDown();
                }));
    System.out.println(
        "Roamstore broker listening on "
            + host
            + ":"
            + port
            + ", journal in "
            + data.toAbsolutePath()
            + (peers.isEmpty() ? "" : ", site " + site + ", bridges to " + peers)
            + (tls == null ? ", plain TCP" : ", TLS with client certificates")
            + (users == null ? ", no authentication" : ", " + users.describe()));
    stopped.await();
  }

  private static void usage() {
    System.err.println(
        "usage: BrokerMain --data DIR [--host HOST] [--port PORT]"
            + " [--site NAME --peer SITE=HOST:PORT ...] [--secrets DIR] [--tls FILE]");
    System.exit(2);
  }
}
