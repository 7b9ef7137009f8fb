package org.roamstore.directory.lag;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.roamstore.directory.access.ReplicationLag;
import org.roamstore.directory.access.SystemStatus;

/**
 * The lag samples of every secondary of every volume over the last {@link #KEPT}, one ring per
 * series. A series ends when its copy stops being a secondary (its volume was deleted, or the copy
 * became the primary), so the number of rings follows the directory, never the time it runs.
 */
@ApplicationScoped
public class LagHistory {
  /** How often {@link LagSampler} samples. */
  public static final Duration INTERVAL = Duration.ofSeconds(5);

  /** How far back a series reaches. */
  public static final Duration KEPT = Duration.ofMinutes(15);

  static final int CAPACITY = (int) (KEPT.toSeconds() / INTERVAL.toSeconds());

  private final Map<SeriesKey, LagRing> series = new ConcurrentHashMap<>();

  /**
   * Adds one sample per secondary in the status and ends the series of copies that are no longer
   * secondaries.
   *
   * @return the series that began and ended with this sample
   */
  public Changes record(SystemStatus status) {
    Set<SeriesKey> current = new HashSet<>();
    Set<SeriesKey> began = new HashSet<>();
    for (SystemStatus.CopyGroup group : status.copyGroups()) {
      for (SystemStatus.Member member : group.members()) {
        if (member.primary()) {
          continue;
        }
        SeriesKey key = new SeriesKey(group.volume(), member.dataCenter());
        current.add(key);
        series
            .computeIfAbsent(
                key,
                k -> {
                  began.add(k);
                  return new LagRing(CAPACITY);
                })
            .add(sample(status, member.lag()));
      }
    }
    Set<SeriesKey> ended = new HashSet<>(series.keySet());
    ended.removeAll(current);
    ended.forEach(series::remove);
    return new Changes(Set.copyOf(began), Set.copyOf(ended));
  }

  private static LagSample sample(SystemStatus status, ReplicationLag.Lag lag) {
    ReplicationLag.Lag l = lag == null ? ReplicationLag.Lag.NOT_REPORTED : lag;
    return new LagSample(status.at(), l.state(), l.pendingBytes(), l.seconds());
  }

  /** The series' samples, oldest first; empty when there is no such series. */
  public List<LagSample> samples(String volume, String secondary) {
    LagRing ring = series.get(new SeriesKey(volume, secondary));
    return ring == null ? List.of() : ring.samples();
  }

  public Optional<LagSample> latest(SeriesKey key) {
    LagRing ring = series.get(key);
    return ring == null ? Optional.empty() : ring.latest();
  }

  /** Series that began and ended at one sample. */
  public record Changes(Set<SeriesKey> began, Set<SeriesKey> ended) {}
}
