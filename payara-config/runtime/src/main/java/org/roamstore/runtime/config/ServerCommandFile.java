package org.roamstore.runtime.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * An {@code asadmin multimode --file} command file that sets up a full server (Payara Server 6,
 * GlassFish 7) for the EAR: the same resources as Payara Micro's post-boot file, from the same
 * definitions, logging in to the site's broker as {@code roamstore run}'s server does (the broker's
 * users are always on; with {@code --broker-tls required} over TLS with the site's certificate).
 * The order differs where a full server needs it: the storage pools name the connector inside the
 * EAR ({@code roamstore#storage-connector}), which the server accepts only once that application
 * exists, so they follow the EAR's deployment. Until they exist the directory's start leaves the
 * demo volumes to its retries (every 10 s), and the site watch reports the sites down; the pings at
 * the end open the storage units, so their NBD ports listen. What a server lacks is added before
 * all that ({@link FullServer#prerequisites}).
 *
 * <p>The file holds the broker user's password (and with TLS the stores' password), so it is
 * written owner-only ({@code --out FILE}) and never printed.
 */
public final class ServerCommandFile {
  public static final String APPLICATION = "roamstore";

  /**
   * What {@link #write} made: the command file, and the options the site's broker takes beside its
   * data, host and port (with --site its site and peers, its users' secrets directory and, with
   * TLS, its stores' file; never a password), as {@code roamstore run} gives them to the broker.
   */
  public record Written(Path file, List<String> brokerArguments) {}

  private ServerCommandFile() {}

  /**
   * The command file's settings: {@code --ear EAR} (required), {@code --out FILE} (required),
   * {@code --server payara|glassfish} (default payara) and {@code roamstore run}'s options for the
   * resources (data directory, broker, NBD, database, topology); the options of Payara Micro's own
   * web listener and JVM are refused, a full server has its own. Makes what the broker's users need
   * under the data directory ({@link BrokerSecurity#prepare}) and the demo CA's certificates when
   * TLS is on without the operator's, as {@code roamstore run} does.
   */
  public static Written write(Path dist, List<String> args, Map<String, String> env)
      throws ConfigException {
    List<String> rest = new ArrayList<>(args);
    String earOption = take(rest, "--ear");
    Path ear = earOption == null ? null : Path.of(earOption).toAbsolutePath().normalize();
    if (ear == null || !Files.isRegularFile(ear)) {
      throw new ConfigException(
          "--ear EAR: the application to deploy (ear/target/roamstore.ear)"
              + (ear == null ? "" : "; no such file: " + ear));
    }
    CommandFile.checkWord("--ear", ear.toString());
    String outOption = take(rest, "--out");
    if (outOption == null) {
      throw new ConfigException(
          "--out FILE: where to write the command file; it holds the broker user's password, so"
              + " it is written owner-only and never printed");
    }
    Path out = Path.of(outOption).toAbsolutePath().normalize();
    if (Files.isDirectory(out)) {
      throw new ConfigException("--out " + outOption + ": a directory; name the file to write");
    }
    String serverOption = take(rest, "--server");
    FullServer server = serverOption == null ? FullServer.PAYARA : FullServer.parse(serverOption);
    for (int i = 0; i < rest.size(); i += 2) {
      if (RunSettings.MICRO_OPTIONS.contains(rest.get(i))) {
        throw new ConfigException(
            rest.get(i) + ": a setting of Payara Micro; a full server has its own (asadmin)");
      }
    }
    RunSettings run = RunSettings.parse(dist, rest, env);
    List<AsadminCommand> commands = new ArrayList<>(server.prerequisites(run));
    if (run.demoTls()) {
      DemoCertificates.ensure(run.tlsDirectory(), run.topology().storageSystems(), run.host());
    }
    Path runtime = run.data().resolve("runtime");
    try {
      Files.createDirectories(runtime);
    } catch (IOException e) {
      throw new ConfigException("cannot make " + runtime + ": " + e.getMessage(), e);
    }
    commands.addAll(commands(run, ear, run.broker().prepare(runtime)));
    SecretFiles.write(out, render(commands).getBytes(StandardCharsets.UTF_8));
    // As the launcher starts a site's broker: its site and peers, then its users and stores.
    List<String> broker = new ArrayList<>();
    if (run.site() != null) {
      broker.addAll(List.of("--site", run.site()));
      run.peers().forEach(peer -> broker.addAll(List.of("--peer", peer.toString())));
    }
    broker.addAll(run.broker().brokerArguments(runtime));
    return new Written(out, broker);
  }

  /** What {@code render-server} prints: where the file is and the broker's options. */
  public static String render(Path dist, List<String> args, Map<String, String> env)
      throws ConfigException {
    Written written = write(dist, args, env);
    return "command file (owner-only, apply with asadmin multimode --file): "
        + written.file()
        + "\nthe broker's options beside --data, --host and --port: "
        + String.join(" ", written.brokerArguments())
        + "\n";
  }

  /** Removes {@code option VALUE} from the arguments and returns the value (null: not given). */
  private static String take(List<String> args, String option) throws ConfigException {
    int at = args.indexOf(option);
    if (at < 0) {
      return null;
    }
    if (at + 1 >= args.size()) {
      throw new ConfigException(option + ": a value is missing");
    }
    String value = args.get(at + 1);
    args.subList(at, at + 2).clear();
    return value;
  }

  /**
   * The resources, logging in as {@code login} says: the Artemis adapter and the JMS pool, the
   * storage pools (through {@code DATA/runtime/broker-client.properties}) and, with TLS, the stores
   * of Artemis's clients as system properties of the server.
   */
  static List<AsadminCommand> commands(RunSettings run, Path ear, BrokerLogin login) {
    List<AsadminCommand> commands = new ArrayList<>();
    // The directory reads the topology at its start; a system property of the server's config.
    commands.add(
        AsadminCommand.of("create-system-properties")
            .propertyOperand("roamstore.topology", run.topology().file().toString()));
    Properties system = login.systemProperties();
    if (!system.isEmpty()) {
      Map<String, String> sorted = new TreeMap<>();
      system.stringPropertyNames().forEach(key -> sorted.put(key, system.getProperty(key)));
      commands.add(AsadminCommand.of("create-system-properties").propertiesOperand(sorted));
    }
    commands.addAll(
        Resources.messaging(
            run.dist().resolve("artemis-rar.rar"), run.brokerHost(), run.brokerPort(), login));
    commands.addAll(Resources.directory(run.jdbc()));
    commands.add(AsadminCommand.of("deploy").option("--name", APPLICATION).operand(ear.toString()));
    commands.addAll(
        Resources.storage(
            APPLICATION + "#" + Resources.STORAGE_ADAPTER,
            run.storagePools(run.brokerClientProperties())));
    return commands;
  }

  private static String render(List<AsadminCommand> commands) {
    StringBuilder out = new StringBuilder();
    for (AsadminCommand command : commands) {
      out.append(command.render(CommandFile.MULTIMODE)).append('\n');
    }
    return out.toString();
  }
}
