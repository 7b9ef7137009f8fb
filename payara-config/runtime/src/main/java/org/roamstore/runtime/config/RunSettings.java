package org.roamstore.runtime.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of one {@code roamstore run}: its options (and their environment variables), checked
 * against each other and against the topology, with every default filled in. All sites in one JVM
 * by default; with {@code site}, only that data center's storage (one server per data center), the
 * others reached through its broker's bridges to the peers' brokers.
 */
public record RunSettings(
    Path dist,
    Path data,
    Topology topology,
    int httpPort,
    String host,
    String brokerHost,
    int brokerPort,
    int nbdPort,
    Jdbc jdbc,
    String site,
    List<Peer> peers,
    String nbdTls,
    Path tlsDirectory,
    boolean demoTls,
    String https,
    int httpsPort,
    GatewayKeystore keystore,
    JvmSizing jvm,
    BrokerSecurity broker) {

  static final String USAGE = "see the top of payara-config/roamstore";

  /** Payara Micro's own: its web listener over HTTPS, and its and the broker's JVMs. */
  static final List<String> MICRO_OPTIONS =
      List.of(
          "--port",
          "--https",
          "--https-port",
          "--https-keystore",
          "--https-keystore-password-file",
          "--memory",
          "--heap",
          "--broker-heap");

  /** What the resources hold: where data lives, the broker, NBD, the database, the topology. */
  static final List<String> RESOURCE_OPTIONS =
      List.of(
          "--data",
          "--broker-port",
          "--nbd-port",
          "--topology",
          "--nbd-tls",
          "--nbd-tls-dir",
          "--jdbc-url",
          "--jdbc-user",
          "--jdbc-password",
          "--jdbc-password-file",
          "--broker-tls",
          "--broker-tls-dir",
          "--broker-secrets",
          "--site",
          "--host");

  static final Set<String> OPTIONS = union(MICRO_OPTIONS, RESOURCE_OPTIONS);

  /** Where the storage connector's clients read their broker user, password and TLS settings. */
  Path brokerClientProperties() {
    return data.resolve("runtime").resolve("broker-client.properties");
  }

  static Set<String> union(List<String> a, List<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  public static RunSettings parse(Path dist, List<String> args, Map<String, String> env)
      throws ConfigException {
    Options o = Options.parse(args, OPTIONS, Set.of("--peer"), env, USAGE);
    Path data =
        directory(
            o.get("--data", "ROAMSTORE_DATA", "./data"), o.source("--data", "ROAMSTORE_DATA"));
    Topology topology = Topology.read(topologyFile(dist, o.get("--topology", null, "")));
    int httpPort = o.port("--port", "ROAMSTORE_PORT", 8080, false);
    int brokerPort = o.port("--broker-port", "ROAMSTORE_BROKER_PORT", 61616, false);
    int nbdPort = o.port("--nbd-port", "ROAMSTORE_NBD_PORT", 10809, true);
    String site = o.get("--site", null, null);
    String host = CommandFile.checkWord("--host", o.get("--host", null, "127.0.0.1"));
    String https = o.mode("--https", "ROAMSTORE_HTTPS", site != null ? "required" : "off");
    int httpsPort = 8443;
    GatewayKeystore keystore = null;
    if (!https.equals("off")) {
      httpsPort = o.port("--https-port", "ROAMSTORE_HTTPS_PORT", 8443, false);
      if (httpsPort == httpPort) {
        throw new ConfigException(
            "--https-port " + httpsPort + " is the HTTP port too; choose another");
      }
      String store = o.get("--https-keystore", "ROAMSTORE_HTTPS_KEYSTORE", "");
      if (!store.isEmpty()) {
        String passwordFile =
            o.get("--https-keystore-password-file", "ROAMSTORE_HTTPS_KEYSTORE_PASSWORD_FILE", "");
        keystore =
            GatewayKeystore.operators(
                Path.of(store), passwordFile.isEmpty() ? null : Path.of(passwordFile), env);
      }
    }
    String nbdTls = o.mode("--nbd-tls", "ROAMSTORE_NBD_TLS", site != null ? "required" : "off");
    String brokerTls = BrokerSecurity.mode(o, site != null ? "required" : "off");
    // The server certificates: NBD's, the gateway's unless it has a keystore of its own, the
    // broker's unless it has a directory of its own.
    Path tlsDirectory = null;
    boolean demoTls = false;
    if (!nbdTls.equals("off")
        || (!https.equals("off") && keystore == null)
        || BrokerSecurity.needsCertificates(o, brokerTls)) {
      tlsDirectory = o.directory("--nbd-tls-dir", "ROAMSTORE_NBD_TLS_DIR");
      if (tlsDirectory == null) {
        tlsDirectory = data.resolve("tls");
        demoTls = true;
      }
    }
    String jdbcUrl = o.get("--jdbc-url", "ROAMSTORE_JDBC_URL", "");
    String brokerHost = "127.0.0.1";
    if (site != null) {
      if (!topology.hasStorageSystem(site)) {
        throw new ConfigException(
            "--site " + site + ": the topology has " + String.join(" ", topology.storageSystems()));
      }
      if (jdbcUrl.isEmpty()) {
        throw new ConfigException(
            "--site needs the shared directory database: --jdbc-url (see payara-config/postgres)");
      }
      brokerHost = host;
    }
    List<Peer> peers = new ArrayList<>();
    for (String peer : o.all("--peer")) {
      if (site == null) {
        throw new ConfigException(
            "--peer " + peer + ": needs --site (the server's own data center)");
      }
      peers.add(Peer.parse(peer, topology, site));
    }
    if (o.has("--jdbc-password")) {
      throw new ConfigException(
          "--jdbc-password: a password on the command line is visible to every user of this"
              + " machine; use --jdbc-password-file FILE (owner-only) or ROAMSTORE_JDBC_PASSWORD");
    }
    Jdbc jdbc =
        jdbcUrl.isEmpty()
            ? Jdbc.h2In(data.resolve("directory"))
            : Jdbc.of(
                jdbcUrl, o.get("--jdbc-user", "ROAMSTORE_JDBC_USER", ""), jdbcPassword(o, env));
    BrokerSecurity broker =
        BrokerSecurity.of(o, brokerTls, data, site, topology.storageSystems(), tlsDirectory);
    JvmSizing jvm =
        JvmSizing.of(
            size(o, "--memory", "ROAMSTORE_MEMORY", 1024),
            size(o, "--heap", "ROAMSTORE_HEAP", 256),
            size(o, "--broker-heap", "ROAMSTORE_BROKER_HEAP", 256),
            site == null ? topology.dataCenters().size() : 1);
    return new RunSettings(
        dist.toAbsolutePath().normalize(),
        data,
        topology,
        httpPort,
        host,
        brokerHost,
        brokerPort,
        nbdPort,
        jdbc,
        site,
        List.copyOf(peers),
        nbdTls,
        tlsDirectory,
        demoTls,
        https,
        httpsPort,
        keystore,
        jvm,
        broker);
  }

  /** The database's password: from an owner-only file, or the environment; never an argument. */
  static String jdbcPassword(Options o, Map<String, String> env) throws ConfigException {
    String file = o.get("--jdbc-password-file", "ROAMSTORE_JDBC_PASSWORD_FILE", "");
    if (!file.isEmpty()) {
      return SecretFiles.firstLine(
          o.source("--jdbc-password-file", "ROAMSTORE_JDBC_PASSWORD_FILE"), Path.of(file));
    }
    String password = env.get("ROAMSTORE_JDBC_PASSWORD");
    return password == null ? "" : password;
  }

  /** A size option in bytes, 0 when not given; at least {@code minimumMiB}. */
  static long size(Options o, String option, String variable, long minimumMiB)
      throws ConfigException {
    String value = o.get(option, variable, "");
    return value.isEmpty()
        ? 0
        : JvmSizing.parse(o.source(option, variable), value, minimumMiB * JvmSizing.MIB);
  }

  /** The data directory, made if missing, as an absolute path the command files can carry. */
  static Path directory(String value, String option) throws ConfigException {
    Path dir = Path.of(value).toAbsolutePath().normalize();
    CommandFile.checkWord(option, dir.toString());
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException(option + " " + value + ": cannot make it (" + e + ")", e);
    }
  }

  /**
   * The topology given, or the demo topology of the runtime (or of the sources, before a build).
   */
  static Path topologyFile(Path dist, String given) throws ConfigException {
    if (!given.isEmpty()) {
      Path file = Path.of(given).toAbsolutePath().normalize();
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("--topology " + given + ": no such file");
      }
      return file;
    }
    Path built = dist.resolve("demo-topology.json");
    if (Files.isRegularFile(built)) {
      return built.toAbsolutePath().normalize();
    }
    // dist is payara-config/runtime/target/roamstore
    return dist.resolve("../../src/main/roamstore/demo-topology.json").toAbsolutePath().normalize();
  }

  /** The storage systems this server runs itself. */
  public List<String> hostedSites() {
    return site == null ? topology.storageSystems() : List.of(site);
  }

  /**
   * One pool per data center, in the topology's order: this server's units get the next NBD port
   * each (port 0: every site an ephemeral port), the others are reached over the bridges. Each logs
   * in to the broker as {@code brokerClient} says (null: the broker has no users). With {@code
   * site}, one more that reaches data centers added later ({@link StoragePool#throughBroker}).
   */
  public List<StoragePool> storagePools(Path brokerClient) {
    List<StoragePool> pools = new ArrayList<>();
    int port = nbdPort;
    for (String system : topology.storageSystems()) {
      if (site == null || site.equals(system)) {
        Path tls = null;
        if (!nbdTls.equals("off")) {
          // One directory per site inside the TLS directory, or the directory itself if it holds
          // the files.
          tls = PemStores.siteDirectory(tlsDirectory, system);
        }
        pools.add(
            new StoragePool(
                system,
                false,
                true,
                data.resolve("storage").resolve(system),
                host,
                port,
                nbdTls,
                tls,
                brokerHost,
                brokerPort,
                brokerClient,
                site));
        if (nbdPort != 0) {
          port++;
        }
      } else {
        pools.add(
            StoragePool.throughBroker(system, false, brokerHost, brokerPort, brokerClient, site));
      }
    }
    if (site != null) {
      pools.add(StoragePool.throughBroker(site, true, brokerHost, brokerPort, brokerClient, site));
    }
    return pools;
  }

  /** Whether the directory runs on PostgreSQL (Payara Micro then needs its driver). */
  public boolean postgres() {
    return jdbc.postgres();
  }
}
