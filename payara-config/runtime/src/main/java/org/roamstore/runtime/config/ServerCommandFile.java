package org.roamstore.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code asadmin multimode --file} command file that sets up a full server (Payara Server 6,
 * GlassFish 7) for the EAR: the same resources as Payara Micro's post-boot file, from the same
 * definitions. The order differs where a full server needs it: the storage pools name the connector
 * inside the EAR ({@code roamstore#storage-connector}), which the server accepts only once that
 * application exists, so they follow the EAR's deployment. Until they exist the directory's start
 * leaves the demo volumes to its retries (every 10 s), and the site watch reports the sites down;
 * the pings at the end open the storage units, so their NBD ports listen.
 */
public final class ServerCommandFile {
  public static final String APPLICATION = "roamstore";

  private ServerCommandFile() {}

  /**
   * The command file's settings: {@code --ear EAR} (required) and {@code roamstore run}'s options
   * for the resources (data directory, broker, NBD, database, topology); the options of Payara
   * Micro's own web listener and JVM are refused, a full server has its own.
   */
  public static String render(Path dist, List<String> args, java.util.Map<String, String> env)
      throws ConfigException {
    List<String> rest = new ArrayList<>(args);
    Path ear = null;
    int at = rest.indexOf("--ear");
    if (at >= 0 && at + 1 < rest.size()) {
      ear = Path.of(rest.get(at + 1)).toAbsolutePath().normalize();
      rest.subList(at, at + 2).clear();
    }
    if (ear == null || !java.nio.file.Files.isRegularFile(ear)) {
      throw new ConfigException(
          "--ear EAR: the application to deploy (ear/target/roamstore.ear)"
              + (ear == null ? "" : "; no such file: " + ear));
    }
    CommandFile.checkWord("--ear", ear.toString());
    for (int i = 0; i < rest.size(); i += 2) {
      if (RunSettings.MICRO_OPTIONS.contains(rest.get(i))) {
        throw new ConfigException(
            rest.get(i) + ": a setting of Payara Micro; a full server has its own (asadmin)");
      }
    }
    return render(RunSettings.parse(dist, rest, env), ear);
  }

  public static List<AsadminCommand> commands(RunSettings run, Path ear) {
    List<AsadminCommand> commands = new ArrayList<>();
    // The directory reads the topology at its start; a system property of the server's config.
    commands.add(
        AsadminCommand.of("create-system-properties")
            .propertyOperand("roamstore.topology", run.topology().file().toString()));
    commands.addAll(
        Resources.messaging(
            run.dist().resolve("artemis-rar.rar"), run.brokerHost(), run.brokerPort(), null));
    commands.addAll(Resources.directory(run.jdbc()));
    commands.add(AsadminCommand.of("deploy").option("--name", APPLICATION).operand(ear.toString()));
    commands.addAll(
        Resources.storage(APPLICATION + "#" + Resources.STORAGE_ADAPTER, run.storagePools(null)));
    return commands;
  }

  public static String render(RunSettings run, Path ear) {
    StringBuilder out = new StringBuilder();
    for (AsadminCommand command : commands(run, ear)) {
      out.append(command.render(CommandFile.MULTIMODE)).append('\n');
    }
    return out.toString();
  }
}
