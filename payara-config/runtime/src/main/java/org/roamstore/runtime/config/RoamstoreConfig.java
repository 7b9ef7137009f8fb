package org.roamstore.runtime.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The launcher's configuration step, one command per call: {@code java -cp DIST/config/*
 * org.roamstore.runtime.config.RoamstoreConfig COMMAND --dist DIST [options of roamstore run]}.
 *
 * <ul>
 *   <li>{@code resolve}: checks the options and the topology, makes the demo CA's certificates when
 *       TLS is on without certificates of the operator's ({@link DemoCertificates}), and prints the
 *       settings as shell assignments for the launcher to evaluate;
 *   <li>{@code resolve-multi}: the same for {@code roamstore multi}'s options, with each site's
 *       {@code run --site} options (SITE_ARGS_0, SITE_ARGS_1, ...);
 *   <li>{@code render}: refuses ports already in use, then writes DATA/runtime/post-boot.asadmin,
 *       Payara Micro's DATA/runtime/system.properties (with HTTPS on, the gateway's keystore, made
 *       afresh from the site's PEM files unless --https-keystore names one) and the broker users'
 *       files ({@link BrokerSecurity#prepare});
 *   <li>{@code render-post-boot}: the same without the port check and the gateway's keystore, and
 *       prints the post-boot file's path;
 *   <li>{@code demo-certificates --dir DIR [--host HOST] SITE...}: the demo CA's files in DIR for
 *       those sites and a client, as {@code resolve} makes them under DATA/tls (for the benchmarks,
 *       which serve NBD without the launcher); prints what it made;
 *   <li>{@code render-server --ear EAR --out FILE [--server payara|glassfish]}: writes, owner-only,
 *       the asadmin command file that sets up a full server (Payara Server 6, the default, or
 *       GlassFish 7) for the EAR with the same resources and broker login ({@link
 *       ServerCommandFile}), and prints the file's path and the broker's options.
 * </ul>
 *
 * A bad option or topology ends it with status 2 and one line naming the option, or the file, line
 * and field, before anything has started.
 */
public final class RoamstoreConfig {
  /** Payara Micro's --systemproperties file, under DATA/runtime. */
  static final String SYSTEM_PROPERTIES = "system.properties";

  private RoamstoreConfig() {}

  public static void main(String[] args) {
    try {
      System.out.print(run(Arrays.asList(args), System.getenv()));
      System.out.flush();
    } catch (ConfigException e) {
      System.err.println("roamstore: " + e.getMessage());
      System.exit(2);
    }
  }

  /** What main prints, for tests. */
  static String run(List<String> args, Map<String, String> env) throws ConfigException {
    if (args.isEmpty()) {
      throw new ConfigException(
          "usage: RoamstoreConfig"
              + " resolve|resolve-multi|render|render-post-boot|render-server|demo-certificates"
              + " --dist DIST [options]");
    }
    String command = args.get(0);
    List<String> rest = new ArrayList<>(args.subList(1, args.size()));
    Path dist = dist(rest);
    switch (command) {
      case "resolve" -> {
        RunSettings run = RunSettings.parse(dist, rest, env);
        if (run.demoTls()) {
          DemoCertificates.ensure(run.tlsDirectory(), run.topology().storageSystems(), run.host());
        }
        return Launch.assignments(run);
      }
      case "resolve-multi" -> {
        MultiSettings multi = MultiSettings.parse(dist, rest, env);
        multi.checkPortsFree();
        if (multi.demoTls()) {
          // One demo CA for every site, so that one client directory reaches them all.
          DemoCertificates.ensure(
              multi.tlsDirectory(), multi.topology().storageSystems(), "127.0.0.1");
        }
        return multi.assignments()
            + new ShellWords().set("JDBC_PASSWORD_FILE", multi.writeDatabasePassword());
      }
      case "render" -> {
        RunSettings run = RunSettings.parse(dist, rest, env);
        Launch.checkPortsFree(run);
        return writeRuntime(run, run.https().equals("off") ? null : gatewayKeystore(run)) + "\n";
      }
      case "render-server" -> {
        return ServerCommandFile.render(dist, rest, env);
      }
      case "demo-certificates" -> {
        return demoCertificates(rest);
      }
      case "render-post-boot" -> {
        return writeRuntime(RunSettings.parse(dist, rest, env), null) + "\n";
      }
      default -> throw new ConfigException("unknown command '" + command + "'");
    }
  }

  private static String demoCertificates(List<String> rest) throws ConfigException {
    String usage = "demo-certificates --dir DIR [--host HOST] SITE...";
    Path dir = null;
    String host = null;
    List<String> sites = new ArrayList<>();
    for (int i = 0; i < rest.size(); i++) {
      String word = rest.get(i);
      if ((word.equals("--dir") || word.equals("--host")) && i + 1 < rest.size()) {
        if (word.equals("--dir")) {
          dir = Path.of(rest.get(++i)).toAbsolutePath().normalize();
        } else {
          host = rest.get(++i);
        }
      } else if (word.startsWith("-")) {
        throw new ConfigException(usage + ": unknown option '" + word + "'");
      } else {
        sites.add(word);
      }
    }
    if (dir == null || sites.isEmpty()) {
      throw new ConfigException("usage: " + usage);
    }
    return String.join(" ", DemoCertificates.ensure(dir, sites, host)) + "\n";
  }

  /** Takes {@code --dist DIST} off the front of the options: where the runtime was assembled. */
  private static Path dist(List<String> rest) throws ConfigException {
    if (rest.size() < 2 || !rest.get(0).equals("--dist")) {
      throw new ConfigException("--dist DIST (the assembled runtime) must come first");
    }
    Path dist = Path.of(rest.get(1)).toAbsolutePath().normalize();
    rest.subList(0, 2).clear();
    CommandFile.checkWord("--dist", dist.toString());
    return dist;
  }

  /**
   * Writes what one start reads under DATA/runtime: the broker users' files and stores ({@link
   * BrokerSecurity#prepare}), the post-boot file and Payara Micro's system properties (Artemis's
   * TLS stores, the gateway's keystore when {@code keystore} is given), all owner-only since they
   * hold passwords. Returns the post-boot file.
   */
  static Path writeRuntime(RunSettings run, GatewayKeystore keystore) throws ConfigException {
    Path runtime = run.data().resolve("runtime");
    Path file = runtime.resolve("post-boot.asadmin");
    try {
      for (String dir : List.of("runtime", "tmp", "logs")) {
        Files.createDirectories(run.data().resolve(dir));
      }
    } catch (IOException e) {
      throw new ConfigException("cannot make " + runtime + ": " + e.getMessage(), e);
    }
    BrokerLogin login = run.broker().prepare(runtime);
    SecretFiles.write(file, PostBootFile.render(run, login).getBytes(StandardCharsets.UTF_8));
    Properties system = login.systemProperties();
    if (keystore != null) {
      system.putAll(keystore.systemProperties());
    }
    SecretFiles.writeProperties(
        runtime.resolve(SYSTEM_PROPERTIES),
        system,
        "Payara Micro's --systemproperties; each start");
    return file;
  }

  /**
   * The operator's keystore, or one made from the site's PEM files (the first site's in one JVM).
   */
  private static GatewayKeystore gatewayKeystore(RunSettings run) throws ConfigException {
    if (run.keystore() != null) {
      return run.keystore();
    }
    String site = run.site() != null ? run.site() : run.topology().storageSystems().get(0);
    Path runtime = run.data().resolve("runtime");
    try {
      Files.createDirectories(runtime);
    } catch (IOException e) {
      throw new ConfigException("cannot make " + runtime + ": " + e.getMessage(), e);
    }
    return GatewayKeystore.fromPem(
        run.tlsDirectory(), site, runtime.resolve("gateway-keystore.p12"));
  }
}
