package org.roamstore.runtime.config;

/**
 * The directory's database as the JDBC pool sees it: H2 in a file under the data directory unless a
 * URL says otherwise (PostgreSQL for several servers sharing one directory).
 */
public record Jdbc(String url, String user, String password) {

  public static Jdbc of(String url, String user, String password) throws ConfigException {
    if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
      throw new ConfigException(
          "--jdbc-url: only jdbc:postgresql: and jdbc:h2: URLs are supported, not '" + url + "'");
    }
    CommandFile.checkWord("--jdbc-url", url);
    CommandFile.checkWord("--jdbc-user", user);
    CommandFile.checkWord("--jdbc-password", password);
    return new Jdbc(url, user, password);
  }

  /**
   * QUERY_CACHE_SIZE: H2 parses a statement again unless the session's cache of parsed commands
   * holds it; its default of 8 is fewer than the statements of one login (login profiles).
   */
  public static Jdbc h2In(java.nio.file.Path directory) {
    return new Jdbc(
        "jdbc:h2:file:" + directory.resolve("roamstore") + ";QUERY_CACHE_SIZE=64", "", "");
  }

  public boolean postgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  public String dataSourceClass() {
    return postgres() ? "org.postgresql.ds.PGSimpleDataSource" : "org.h2.jdbcx.JdbcDataSource";
  }

  /** The pool's properties, onto a command. */
  AsadminCommand addProperties(AsadminCommand command) {
    command.property("url", url);
    if (postgres()) {
      // PostgreSQL ignores JPA's lock timeout hint (Hibernate drops it) and would wait for a row
      // lock forever; 10 s, as the login asks for (LoginService.LOCK_TIMEOUT_MS).
      command.property("options", "--lock_timeout=10s");
    }
    if (!user.isEmpty()) {
      command.property("user", user);
    }
    if (!password.isEmpty()) {
      command.property("password", password);
    }
    return command;
  }
}
