package org.roamstore.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of {@code roamstore multi}: the multi-site topology on one machine, one {@code run
 * --site} per data center with its own ports (the first site's given, the next ones counting up)
 * and data directory, each pointed at every other site's broker. NBD over TLS, the gateways over
 * HTTPS and mutual TLS between the brokers are required unless told otherwise; one demo CA serves
 * every site, and one secrets directory holds every site's broker password (a site's broker knows
 * its peers').
 */
public record MultiSettings(
    Path data,
    Topology topology,
    int firstHttpPort,
    int firstBrokerPort,
    int firstNbdPort,
    int firstHttpsPort,
    int postgresPort,
    String nbdTls,
    Path tlsDirectory,
    boolean demoTls,
    String https,
    GatewayKeystore keystore,
    String keystoreArgument,
    String passwordFileArgument,
    long siteMemory,
    List<String> heapArguments,
    String brokerTls,
    String brokerTlsDirectory) {

  /** The password payara-config/postgres gives the demo directory's role. */
  static final String DEMO_DATABASE_PASSWORD = "roamstore";

  static final Set<String> OPTIONS =
      RunSettings.union(
          RunSettings.MICRO_OPTIONS,
          List.of(
              "--data",
              "--broker-port",
              "--nbd-port",
              "--pg-port",
              "--topology",
              "--nbd-tls",
              "--nbd-tls-dir",
              "--broker-tls",
              "--broker-tls-dir"));

  public static MultiSettings parse(Path dist, List<String> args, Map<String, String> env)
      throws ConfigException {
    Options o = Options.parse(args, OPTIONS, Set.of(), env, RunSettings.USAGE);
    Path data =
        RunSettings.directory(
            o.get("--data", "ROAMSTORE_DATA", "./data-multi"),
            o.source("--data", "ROAMSTORE_DATA"));
    Topology topology =
        Topology.read(RunSettings.topologyFile(dist, o.get("--topology", null, "")));
    int http = o.port("--port", null, 8080, false);
    int broker = o.port("--broker-port", null, 61616, false);
    int nbd = o.port("--nbd-port", null, 10809, true);
    int pg = o.port("--pg-port", null, 55432, false);
    int sites = topology.dataCenters().size();
    String https = o.mode("--https", "ROAMSTORE_HTTPS", "required");
    int httpsPort = o.port("--https-port", "ROAMSTORE_HTTPS_PORT", 8443, false);
    String store = o.get("--https-keystore", null, "");
    String passwordFile = o.get("--https-keystore-password-file", null, "");
    GatewayKeystore keystore = null;
    if (!https.equals("off") && !store.isEmpty()) {
      keystore =
          GatewayKeystore.operators(
              Path.of(store), passwordFile.isEmpty() ? null : Path.of(passwordFile), env);
    }
    for (int i = 0; i < sites; i++) {
      checkRange("--port", http, i);
      checkRange("--broker-port", broker, i);
      if (nbd != 0) {
        checkRange("--nbd-port", nbd, i);
      }
      if (!https.equals("off")) {
        checkRange("--https-port", httpsPort, i);
      }
    }
    String nbdTls = o.mode("--nbd-tls", "ROAMSTORE_NBD_TLS", "required");
    // Mutual TLS between the sites' brokers unless told otherwise, as for any site.
    String brokerTls = BrokerSecurity.mode(o, "required");
    Path brokerDirectory = o.directory("--broker-tls-dir", "ROAMSTORE_BROKER_TLS_DIR");
    String brokerTlsDirectory = brokerDirectory == null ? "" : brokerDirectory.toString();
    Path tlsDirectory = o.directory("--nbd-tls-dir", "ROAMSTORE_NBD_TLS_DIR");
    boolean demoTls = false;
    if (tlsDirectory == null
        && (!nbdTls.equals("off")
            || (!https.equals("off") && keystore == null)
            || BrokerSecurity.needsCertificates(o, brokerTls))) {
      tlsDirectory = data.resolve("tls");
      demoTls = true;
    }
    // Every site runs on this machine: each sizes its JVMs from its share of the memory.
    long memory = RunSettings.size(o, "--memory", "ROAMSTORE_MEMORY", 1024);
    long siteMemory = (memory > 0 ? memory : JvmSizing.machineMemory()) / sites;
    List<String> heaps = new ArrayList<>();
    for (String option : List.of("--heap", "--broker-heap")) {
      String variable = option.equals("--heap") ? "ROAMSTORE_HEAP" : "ROAMSTORE_BROKER_HEAP";
      if (RunSettings.size(o, option, variable, 256) > 0) {
        heaps.addAll(List.of(option, o.get(option, variable, "")));
      }
    }
    return new MultiSettings(
        data,
        topology,
        http,
        broker,
        nbd,
        httpsPort,
        pg,
        nbdTls,
        tlsDirectory,
        demoTls,
        https,
        keystore,
        keystore == null ? "" : store,
        keystore == null ? "" : passwordFile,
        siteMemory,
        List.copyOf(heaps),
        brokerTls,
        brokerTlsDirectory);
  }

  /** Every site's secrets in one place: the brokers' users (made by the first site) and these. */
  Path secrets() {
    return data.resolve("secrets");
  }

  /**
   * The demo directory's password in an owner-only file, so that no command line (nor a site's
   * recorded command) holds it.
   */
  Path writeDatabasePassword() throws ConfigException {
    Path file = SecretFiles.ownerOnlyDirectory(secrets()).resolve("jdbc.password");
    SecretFiles.write(
        file, (DEMO_DATABASE_PASSWORD + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return file;
  }

  private static void checkRange(String option, int first, int index) throws ConfigException {
    if (first + index > 65535) {
      throw new ConfigException(
          option + " " + first + ": the data centers need the ports up to " + (first + index));
    }
  }

  /** Refuses ports already taken, naming the option that chooses them. */
  void checkPortsFree() throws ConfigException {
    for (int i = 0; i < topology.dataCenters().size(); i++) {
      Launch.portFree(firstHttpPort + i, "; choose others with --port");
      Launch.portFree(firstBrokerPort + i, "; choose others with --broker-port");
      if (!https.equals("off")) {
        Launch.portFree(firstHttpsPort + i, "; choose others with --https-port");
      }
    }
  }

  /** The options of site {@code index}'s {@code run --site} (the database's options come after). */
  List<String> siteArguments(int index) {
    List<String> storage = topology.storageSystems();
    String site = storage.get(index);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--site",
                site,
                "--data",
                data.resolve(site).toString(),
                "--port",
                String.valueOf(firstHttpPort + index),
                "--broker-port",
                String.valueOf(firstBrokerPort + index),
                "--topology",
                topology.file().toString(),
                "--nbd-tls",
                nbdTls,
                "--https",
                https,
                "--https-port",
                String.valueOf(firstHttpsPort + index),
                "--broker-tls",
                brokerTls,
                "--broker-secrets",
                secrets().toString()));
    if (!brokerTlsDirectory.isEmpty()) {
      args.addAll(List.of("--broker-tls-dir", brokerTlsDirectory));
    }
    if (tlsDirectory != null) {
      args.addAll(List.of("--nbd-tls-dir", tlsDirectory.toString()));
    }
    if (!keystoreArgument.isEmpty()) {
      args.addAll(List.of("--https-keystore", keystoreArgument));
    }
    if (!passwordFileArgument.isEmpty()) {
      args.addAll(List.of("--https-keystore-password-file", passwordFileArgument));
    }
    args.addAll(
        List.of("--nbd-port", String.valueOf(firstNbdPort == 0 ? 0 : firstNbdPort + index)));
    args.addAll(List.of("--memory", (siteMemory / JvmSizing.MIB) + "m"));
    args.addAll(heapArguments);
    for (int j = 0; j < storage.size(); j++) {
      if (j != index) {
        args.addAll(List.of("--peer", storage.get(j) + "=127.0.0.1:" + (firstBrokerPort + j)));
      }
    }
    return args;
  }

  String assignments() {
    ShellWords out =
        new ShellWords()
            .set("DATA", data)
            .set("TOPOLOGY", topology.file())
            .array("SITES", topology.storageSystems())
            .set("HTTPS", https)
            .set("NBD_TLS", nbdTls)
            .set("NBD_TLS_DIR", tlsDirectory == null ? "" : tlsDirectory)
            .set("DEMO_TLS", demoTls)
            .set("HTTPS_KEYSTORE", keystoreArgument)
            .set("BROKER_TLS", brokerTls)
            .set("BROKER_TLS_DIR", brokerTlsDirectory)
            .set("BROKER_SECRETS", secrets())
            .set("PG_PORT", postgresPort)
            .set("HOST", "127.0.0.1");
    List<String> httpPorts = new ArrayList<>();
    List<String> httpsPorts = new ArrayList<>();
    List<String> brokerPorts = new ArrayList<>();
    for (int i = 0; i < topology.dataCenters().size(); i++) {
      out.array("SITE_ARGS_" + i, siteArguments(i));
      httpPorts.add(String.valueOf(firstHttpPort + i));
      httpsPorts.add(String.valueOf(firstHttpsPort + i));
      brokerPorts.add(String.valueOf(firstBrokerPort + i));
    }
    return out.array("HTTP_PORTS", httpPorts)
        .array("HTTPS_PORTS", httpsPorts)
        .array("BROKER_PORTS", brokerPorts)
        .toString();
  }
}
