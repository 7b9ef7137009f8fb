package org.roamstore.directory.login;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * A login that waits too long for the volume's row lock answers VOLUME_BUSY, whatever the driver.
 */
class LockTimeoutTest {

  @Test
  void h2sLockTimeoutIsALockTimeout() {
    assertTrue(
        LoginService.isLockTimeout(
            new PersistenceException(
                "JDBC exception",
                new SQLException("Timeout trying to lock table", "HYT00", 50200))));
  }

  @Test
  void postgreSqlsLockTimeoutAndDeadlockAreLockTimeouts() {
    assertTrue(
        LoginService.isLockTimeout(
            new PersistenceException(
                "JDBC exception",
                new SQLException("canceling statement due to lock timeout", "55P03"))));
    assertTrue(
        LoginService.isLockTimeout(
            new PersistenceException(
                "JDBC exception", new SQLException("deadlock detected", "40P01"))));
  }

  @Test
  void otherDatabaseFailuresAreNot() {
    assertFalse(
        LoginService.isLockTimeout(
            new PersistenceException("JDBC exception", new SQLException("disk full", "53100"))));
    assertFalse(LoginService.isLockTimeout(new PersistenceException("no cause")));
  }
}
