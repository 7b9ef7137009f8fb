package org.roamstore.runtime.config;

/**
 * The two kinds of asadmin command file and their escaping. A property value inside {@code
 * --property} is split by asadmin on ':' and '=' and unescaped once (a backslash keeps the next
 * character, quotes group); Payara Micro's post-boot file passes each word on as it stands, while
 * {@code asadmin multimode --file} reads its file through one more round of unescaping, so every
 * backslash and quote there is doubled once more. Neither file format quotes whitespace, so a value
 * holding any is refused where it is given (see {@link #checkWord}).
 */
public enum CommandFile {
  /** Payara Micro's {@code --postbootcommandfile} / {@code --postdeploycommandfile}. */
  POST_BOOT,
  /** A full server's {@code asadmin multimode --file}. */
  MULTIMODE;

  /** A value inside a property list: ':', '=', backslash and quotes escaped for asadmin. */
  static String propertyValue(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (char c : value.toCharArray()) {
      if (c == ':' || c == '=' || c == '\\' || c == '"' || c == '\'') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /** One word of a command line, as this file kind must hold it. */
  String word(String word) {
    if (this == POST_BOOT) {
      return word;
    }
    StringBuilder out = new StringBuilder(word.length() + 8);
    for (char c : word.toCharArray()) {
      if (c == '\\' || c == '"' || c == '\'') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Refuses a value a command file cannot carry (whitespace or control characters split or end a
   * command line there), naming where it came from.
   */
  static String checkWord(String what, String value) throws ConfigException {
    for (char c : value.toCharArray()) {
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new ConfigException(
            what
                + ": '"
                + value
                + "' holds a space or control character, which the servers' command files cannot"
                + " carry; choose a value without");
      }
    }
    return value;
  }
}
