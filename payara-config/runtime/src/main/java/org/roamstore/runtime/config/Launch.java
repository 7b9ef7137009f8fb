package org.roamstore.runtime.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * What the launcher needs to start the processes of one {@code roamstore run}: the resolved
 * settings as shell assignments, and a check that the ports it will listen on are free.
 */
final class Launch {
  private Launch() {}

  /** Refuses the ports the run will listen on when something answers there already. */
  static void checkPortsFree(RunSettings run) throws ConfigException {
    portFree(run.httpPort(), "(another Roamstore?); choose one with --port");
    portFree(run.brokerPort(), "; choose one with --broker-port");
    if (!run.https().equals("off")) {
      portFree(run.httpsPort(), "; choose one with --https-port");
    }
  }

  static String assignments(RunSettings run) {
    List<String> addLibs = new ArrayList<>();
    if (run.postgres()) {
      addLibs.add("--addLibs");
      addLibs.add(run.dist().resolve("lib/postgresql.jar").toString());
    }
    return new ShellWords()
        .set("DATA", run.data())
        .set("TOPOLOGY", run.topology().file())
        .array("SITES", run.topology().storageSystems())
        .set("SITE", run.site() == null ? "" : run.site())
        .set("HOST", run.host())
        .set("BROKER_HOST", run.brokerHost())
        .set("BROKER_PORT", run.brokerPort())
        .set("HTTP_PORT", run.httpPort())
        .set("NBD_PORT", run.nbdPort())
        .set("NBD_TLS", run.nbdTls())
        .set("NBD_TLS_DIR", run.tlsDirectory() == null ? "" : run.tlsDirectory())
        .set("DEMO_TLS", run.demoTls())
        .set("HTTPS", run.https())
        .set("HTTPS_PORT", run.httpsPort())
        .set("HTTPS_KEYSTORE", run.keystore() == null ? "" : run.keystore().file())
        .set(
            "HTTPS_ALIAS",
            run.keystore() == null ? GatewayKeystore.MADE_ALIAS : run.keystore().alias())
        .array("PEERS", run.peers())
        .array("ADD_LIBS", addLibs)
        .array("PAYARA_JVM", run.jvm().payaraOptions())
        .array("BROKER_JVM", run.jvm().brokerOptions())
        .set("BROKER_TLS", run.broker().tls())
        .set("BROKER_SECRETS", run.broker().secrets())
        .array("BROKER_ARGS", run.broker().brokerArguments(run.data().resolve("runtime")))
        .toString();
  }

  /** Refuses a port something already answers on, as the launcher did before it starts. */
  static void portFree(int port, String advice) throws ConfigException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
    } catch (IOException e) {
      return;
    }
    throw new ConfigException(
        "port " + port + " is in use" + (advice.startsWith(";") ? "" : " ") + advice);
  }
}
