package org.roamstore.directory.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.roamstore.directory.switching.RunningDrain;

/**
 * The long operations of one copy group, each with its progress, for the status page's progress
 * bars: a switch's drain (from {@link org.roamstore.directory.switching.RunningDrains}), and per
 * secondary a resync or a verify as its primary reports them. Nothing is estimated here that
 * storage did not report.
 */
final class LongOperations {
  private LongOperations() {}

  /**
   * @param siteOf the data center of a storage system
   */
  static List<SystemStatus.Operation> of(
      List<SystemStatus.Member> members,
      Optional<RunningDrain> drain,
      UnaryOperator<String> siteOf) {
    List<SystemStatus.Operation> out = new ArrayList<>();
    drain.ifPresent(
        d ->
            out.add(
                new SystemStatus.Operation(
                    "DRAIN",
                    siteOf.apply(d.to()),
                    siteOf.apply(d.from()),
                    d.percent(queuedBytes(members)),
                    d.startedAt())));
    for (SystemStatus.Member m : members) {
      ReplicationLag.Lag lag = m.lag();
      if (lag == null || !lag.reported()) {
        continue;
      }
      if ("RESYNCING".equals(lag.state())) {
        out.add(
            new SystemStatus.Operation(
                m.copying() ? "INITIAL_COPY" : "RESYNC",
                m.dataCenter(),
                null,
                lag.resyncPercent(),
                null));
      }
      if (lag.verify() != null && lag.verify().running()) {
        out.add(
            new SystemStatus.Operation(
                "VERIFY", m.dataCenter(), null, lag.verify().percent(), lag.verify().startedAt()));
      }
    }
    return out;
  }

  /** What the drain still waits for, as the status read it; null when no secondary reported. */
  private static Long queuedBytes(List<SystemStatus.Member> members) {
    Long total = null;
    for (SystemStatus.Member m : members) {
      ReplicationLag.Lag lag = m.lag();
      if (lag != null && lag.pendingBytes() != null && RunningDrain.waitsFor(lag.state())) {
        total = (total == null ? 0 : total) + lag.pendingBytes();
      }
    }
    return total;
  }
}
