package org.roamstore.broker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
  private static final String USAGE =
      "usage: BrokerMain --data DIR [--host HOST] [--port PORT]"
          + " [--site NAME --peer SITE=HOST:PORT ...] [--secrets DIR] [--tls FILE]";

  /** One broker's settings as its options give them, the users and stores read. */
  private record Settings(
      Path data,
      String host,
      int port,
      String site,
      Map<String, String> peers,
      BrokerUsers users,
      BrokerTls tls) {

    /** Throws IllegalArgumentException naming what is wrong: the usage, or a secrets file. */
    static Settings parse(List<String> args) {
      Path data = Path.of("data/broker");
      String host = "127.0.0.1";
      int port = 61616;
      String site = null;
      Map<String, String> peers = new LinkedHashMap<>();
      Path secrets = null;
      Path tlsFile = null;
      for (int i = 0; i < args.size(); i++) {
        String option = args.get(i);
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(USAGE);
        }
        String value = args.get(++i);
        switch (option) {
          case "--data" -> data = Path.of(value);
          case "--host" -> host = value;
          case "--port" -> port = Integer.parseInt(value);
          case "--site" -> site = value;
          case "--secrets" -> secrets = Path.of(value);
          case "--tls" -> tlsFile = Path.of(value);
          case "--peer" -> {
            String[] peer = value.split("=", 2);
            if (peer.length != 2) {
              throw new IllegalArgumentException(USAGE);
            }
            peers.put(peer[0], peer[1]);
          }
          default -> throw new IllegalArgumentException(USAGE);
        }
      }
      if (!peers.isEmpty() && site == null) {
        throw new IllegalArgumentException(USAGE);
      }
      BrokerUsers users = secrets == null ? null : BrokerUsers.load(secrets, site, peers.keySet());
      BrokerTls tls = tlsFile == null ? null : BrokerTls.load(tlsFile);
      return new Settings(data, host, port, site, peers, users, tls);
    }

    SiteBroker start() throws Exception {
      return SiteBroker.start(data, host, port, site, peers, users, tls);
    }
  }

  private BrokerMain() {}

  /**
   * Starts a broker from the options {@link #main} takes, in this JVM, until it is closed: what the
   * launcher starts, for tests of a server beside it.
   */
  public static SiteBroker start(List<String> args) throws Exception {
    return Settings.parse(args).start();
  }

  public static void main(String[] args) throws Exception {
    // Artemis audits every send at INFO; that is noise for a storage system's write path.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.audit", "off");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    // Start-up and lock messages ("waiting to obtain primary lock") tell an operator what it waits
    // on.
    System.setProperty(
        "org.slf4j.simpleLogger.log.org.apache.activemq.artemis.core.server", "info");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");

    Settings settings;
    try {
      settings = Settings.parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println(
          e.getMessage().equals(USAGE) ? USAGE : "roamstore broker: " + e.getMessage());
      System.exit(2);
      return;
    }
    SiteBroker broker = settings.start();
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
            + settings.host()
            + ":"
            + settings.port()
            + ", journal in "
            + settings.data().toAbsolutePath()
            + (settings.peers().isEmpty()
                ? ""
                : ", site " + settings.site() + ", bridges to " + settings.peers())
            + (settings.tls() == null ? ", plain TCP" : ", TLS with client certificates")
            + (settings.users() == null
                ? ", no authentication"
                : ", " + settings.users().describe()));
    stopped.await();
  }
}
