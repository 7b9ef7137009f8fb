package org.roamstore.storage.nbd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;

/**
 * What the NBD server logs while a test looks, at every level: a refusal's first line a second is
 * INFO, the rest FINE with the same reason in the exception, so a test sees the reason either way.
 */
final class ServerLog extends Handler implements AutoCloseable {
  private static final Logger SERVER = Logger.getLogger(NbdServer.class.getName());

  private final List<String> records = new ArrayList<>();
  private final Level previous;

  private ServerLog() {
    previous = SERVER.getLevel();
    setLevel(Level.ALL);
    SERVER.setLevel(Level.ALL);
    SERVER.addHandler(this);
  }

  static ServerLog record() {
    return new ServerLog();
  }

  /**
   * Waits (at most 10 s) for a record that contains {@code text}: the server logs after it answers.
   */
  void awaitContaining(String text) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> text().contains(text));
  }

  /** Every record so far: its message, then each exception's in the chain. */
  synchronized String text() {
    return String.join("\n", records);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
    for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
      line.append(" | ").append(t);
    }
    records.add(line.toString());
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    SERVER.removeHandler(this);
    SERVER.setLevel(previous);
  }
}
