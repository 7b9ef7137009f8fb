package org.roamstore.directory.topology;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * A lock held in the directory's database for one step that several Roamstore instances sharing one
 * PostgreSQL directory must not run at once: the schema update and the first load of the topology.
 *
 * <p>On PostgreSQL it is a session-level advisory lock on the given connection, so it also goes
 * away if the instance dies. It is taken with {@code pg_try_advisory_lock} in a loop rather than
 * waiting in {@code pg_advisory_lock}, which would be cut short by the connection's {@code
 * lock_timeout}. On H2 it takes nothing: an H2 file database is opened by one process only (H2's
 * file lock), and within that process the callers are already serialized.
 */
public final class DirectoryLock implements AutoCloseable {
  /** Guards Hibernate's schema update. */
  public static final long SCHEMA = 0x526f616d_00000001L;

  /** Guards the installation row and the topology load at start. */
  public static final long STARTUP = 0x526f616d_00000002L;

  private static final Logger LOG = Logger.getLogger(DirectoryLock.class.getName());
  private static final Duration POLL = Duration.ofMillis(200);

  private final Connection connection;
  private final long key;
  private final boolean held;

  private DirectoryLock(Connection connection, long key, boolean held) {
    this.connection = connection;
    this.key = key;
    this.held = held;
  }

  /**
   * Waits up to {@code patience} for the lock on this connection, which must stay open (and must
   * not be handed to anyone else) until {@link #close()}.
   *
   * @throws SQLException when the database fails or the lock is not had in time
   */
  public static DirectoryLock acquire(Connection connection, long key, Duration patience)
      throws SQLException {
    if (!isPostgreSql(connection)) {
      return new DirectoryLock(connection, key, false);
    }
    long deadline = System.nanoTime() + patience.toNanos();
    boolean told = false;
    while (!tryLock(connection, key)) {
      if (System.nanoTime() > deadline) {
        throw new SQLException(
            "another Roamstore instance held the directory lock " + key + " for over " + patience);
      }
      if (!told) {
        LOG.info("another Roamstore instance prepares the directory; waiting for it");
        told = true;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while waiting for the directory lock", e);
      }
    }
    return new DirectoryLock(connection, key, true);
  }

  static boolean isPostgreSql(Connection connection) throws SQLException {
    return "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
  }

  private static boolean tryLock(Connection connection, long key) throws SQLException {
    try (PreparedStatement lock = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
      lock.setLong(1, key);
      try (ResultSet result = lock.executeQuery()) {
        result.next();
        return result.getBoolean(1);
      }
    }
  }

  @Override
  public void close() throws SQLException {
    if (held) {
      try (PreparedStatement unlock = connection.prepareStatement("select pg_advisory_unlock(?)")) {
        unlock.setLong(1, key);
        unlock.executeQuery().close();
      }
    }
  }
}
