package org.roamstore.directory.placement;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.roamstore.directory.model.Position;

/**
 * Over the volume's number of copies, drop the copy farthest from its recent logins: the one with
 * the largest sum of distances to the data center nearest to each of the recent logins. Never the
 * primary, nor a copy still copying; and nothing is dropped while any copy is still copying, so
 * that the volume never has fewer complete copies than before a copy was added.
 */
final class DropCopyFarthestFromLogins {
  private DropCopyFarthestFromLogins() {}

  /** Empty while the volume has no more copies than allowed. */
  static Optional<PlacementDecision> decide(PlacementFacts f) {
    int count = f.copies().size();
    if (count <= f.maxCopies()) {
      return Optional.empty();
    }
    String over = count + " copies, at most " + f.maxCopies();
    List<String> copying =
        f.copies().stream()
            .filter(PlacementFacts.Copy::copying)
            .map(PlacementFacts.Copy::dataCenter)
            .toList();
    if (!copying.isEmpty()) {
      return Optional.of(
          PlacementDecision.none(
              over
                  + ": waits for the copy at "
                  + String.join(", ", copying)
                  + " to be in sync before dropping one"));
    }
    List<Candidate> candidates =
        f.copies().stream()
            .filter(c -> !c.primary())
            .map(c -> new Candidate(c.dataCenter(), summedKilometers(f, c.dataCenter())))
            .sorted(
                Comparator.comparingDouble(Candidate::kilometers)
                    .reversed()
                    .thenComparing(Candidate::dataCenter))
            .toList();
    if (candidates.isEmpty()) {
      return Optional.of(PlacementDecision.none(over + ", but only the primary could be dropped"));
    }
    Candidate farthest = candidates.get(0);
    return Optional.of(
        PlacementDecision.drop(
            farthest.dataCenter(),
            over
                + ": the copy at "
                + farthest.dataCenter()
                + " is the farthest from the last "
                + f.recentNearest().size()
                + " logins ("
                + candidates.stream()
                    .map(c -> c.dataCenter() + " " + Math.round(c.kilometers()) + " km")
                    .collect(Collectors.joining(", "))
                + ", summed to each login's nearest data center; the primary is kept)"));
  }

  private record Candidate(String dataCenter, double kilometers) {}

  private static double summedKilometers(PlacementFacts f, String dataCenter) {
    Position at = f.positions().get(dataCenter);
    double sum = 0;
    for (String nearest : f.recentNearest()) {
      Position p = f.positions().get(nearest);
      if (at != null && p != null) {
        sum += at.kilometersTo(p);
      }
    }
    return sum;
  }
}
