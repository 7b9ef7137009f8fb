package org.roamstore.runtime.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An {@code asadmin multimode --file} command file that sets up a full server (Payara Server 6,
 * GlassFish 7) for the EAR: the same resources as Payara Micro's post-boot file, from the same
 * definitions. The order differs where a full server needs it: the storage pools name the connector
 * inside the EAR ({@code roamstore#storage-connector}), which the server accepts only once that
 * application exists, so they follow the EAR's deployment. Until they exist the directory's start
 * leaves the demo volumes to its retries (every 10 s), and the site watch reports the sites down;
 * the pings at the end open the storage units, so their NBD ports listen. What a server lacks is
 * added before all that ({@link FullServer#prerequisites}).
 */
public final class ServerCommandFile {
  public static final String APPLICATION = "roamstore";

  private ServerCommandFile() {}

  /**
   * The command file's settings: {@code --ear EAR} (required), {@code --server payara|glassfish}
   * (default payara) and {@code roamstore run}'s options for the resources (data directory, broker,
   * NBD, database, topology); the options of Payara Micro's own web listener and JVM are refused, a
   * full server has its own.
   */
  public static String render(Path dist, List<String> args, Map<String, String> env)
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
    commands.addAll(commands(run, ear));
    return render(commands);
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
    return render(commands(run, ear));
  }

  private static String render(List<AsadminCommand> commands) {
    StringBuilder out = new StringBuilder();
    for (AsadminCommand command : commands) {
      out.append(command.render(CommandFile.MULTIMODE)).append('\n');
    }
    return out.toString();
  }
}
