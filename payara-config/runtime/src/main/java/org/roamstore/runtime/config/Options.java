package org.roamstore.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line of {@code --name value} pairs, each name one of a known set, with defaults from
 * environment variables. Every option takes a value; the repeatable ones keep all of theirs. A
 * value taken from the environment is named by its variable in errors, a value given on the command
 * line by its option.
 */
final class Options {
  private final Map<String, List<String>> given = new LinkedHashMap<>();
  private final Map<String, String> env;
  private final String usage;

  private Options(Map<String, String> env, String usage) {
    this.env = env;
    this.usage = usage;
  }

  static Options parse(
      List<String> args,
      Set<String> known,
      Set<String> repeatable,
      Map<String, String> env,
      String usage)
      throws ConfigException {
    Options options = new Options(env, usage);
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i);
      if (!known.contains(name) && !repeatable.contains(name)) {
        throw new ConfigException("unknown option '" + name + "' (" + usage + ")");
      }
      if (i + 1 >= args.size()) {
        throw new ConfigException(name + " needs a value (" + usage + ")");
      }
      String value = args.get(++i);
      List<String> values = options.given.computeIfAbsent(name, k -> new ArrayList<>());
      if (!repeatable.contains(name)) {
        values.clear(); // the last one wins, as in the shell launcher
      }
      values.add(value);
    }
    return options;
  }

  boolean has(String option) {
    return given.containsKey(option);
  }

  /** The option's value, else the environment variable's (when non-empty), else the default. */
  String get(String option, String variable, String fallback) {
    if (given.containsKey(option)) {
      return given.get(option).get(0);
    }
    if (variable != null && env.get(variable) != null && !env.get(variable).isEmpty()) {
      return env.get(variable);
    }
    return fallback;
  }

  List<String> all(String option) {
    return given.getOrDefault(option, List.of());
  }

  /** How an error names the value: the option, or the variable it came from. */
  String source(String option, String variable) {
    if (given.containsKey(option)
        || variable == null
        || env.get(variable) == null
        || env.get(variable).isEmpty()) {
      return option;
    }
    return option + " (from " + variable + ")";
  }

  int port(String option, String variable, int fallback, boolean zeroAllowed)
      throws ConfigException {
    String value = get(option, variable, String.valueOf(fallback));
    int min = zeroAllowed ? 0 : 1;
    try {
      int port = Integer.parseInt(value);
      if (port >= min && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // refused below with the option's name
    }
    throw new ConfigException(
        source(option, variable)
            + ": a port number ("
            + min
            + "-65535"
            + (zeroAllowed ? "; 0 for ephemeral ports" : "")
            + "), not '"
            + value
            + "'");
  }

  String mode(String option, String variable, String fallback) throws ConfigException {
    String value = get(option, variable, fallback);
    if (!Set.of("off", "optional", "required").contains(value)) {
      throw new ConfigException(
          source(option, variable) + ": off, optional or required, not '" + value + "'");
    }
    return value;
  }

  /**
   * An existing directory the option (or its variable) names, absolute, fit for the command files;
   * null when not given.
   */
  java.nio.file.Path directory(String option, String variable) throws ConfigException {
    String given = get(option, variable, "");
    if (given.isEmpty()) {
      return null;
    }
    java.nio.file.Path dir = java.nio.file.Path.of(given).toAbsolutePath().normalize();
    if (!java.nio.file.Files.isDirectory(dir)) {
      throw new ConfigException(source(option, variable) + " " + given + ": no such directory");
    }
    CommandFile.checkWord(option, dir.toString());
    return dir;
  }

  String usage() {
    return usage;
  }
}
