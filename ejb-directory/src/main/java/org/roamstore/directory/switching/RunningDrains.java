package org.roamstore.directory.switching;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The drains running in this JVM, by copy group, so the status can show a switch's drain while the
 * login waits for it. A drain runs inside one login, in one JVM: another instance's status page
 * does not see it.
 */
@ApplicationScoped
public class RunningDrains {
  private final Map<String, RunningDrain> running = new ConcurrentHashMap<>();

  /** Records the drain until the returned handle is closed. */
  public Handle begin(String groupId, String from, String to, Long pendingBytesAtStart) {
    RunningDrain drain = new RunningDrain(groupId, from, to, Instant.now(), pendingBytesAtStart);
    running.put(groupId, drain);
    return () -> running.remove(groupId, drain);
  }

  public Optional<RunningDrain> of(String groupId) {
    return Optional.ofNullable(running.get(groupId));
  }

  /** Ends the record of one drain; closing twice is harmless. */
  public interface Handle extends AutoCloseable {
    @Override
    void close();
  }
}
