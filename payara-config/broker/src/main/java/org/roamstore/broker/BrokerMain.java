package org.roamstore.broker;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a site's broker until the process is stopped: {@code BrokerMain --data DIR [--host H]
 * [--port P]}.
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
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: BrokerMain --data DIR [--host HOST] [--port PORT]");
          System.exit(2);
        }
      }
    }
    SiteBroker broker = SiteBroker.start(data, host, port);
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
            + data.toAbsolutePath());
    stopped.await();
  }
}
