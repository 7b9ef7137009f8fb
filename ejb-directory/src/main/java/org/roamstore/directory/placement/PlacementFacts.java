package org.roamstore.directory.placement;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.roamstore.directory.model.Position;

/**
 * What the placement rules see of one volume at one moment.
 *
 * @param maxCopies at most this many copies
 * @param addAfterLogins a copy is added where this many logins in a row were nearest
 * @param addAfterStay or where the logins were nearest without a break for this long
 * @param copies the volume's copies, in the directory's order
 * @param positions every data center's position, by name
 * @param up the data centers that are up
 * @param recentNearest for the newest logins (newest first, at most {@code addAfterLogins}), the
 *     data center nearest to each login's network interface among those up then
 * @param stay the data center the logins were nearest to without a break, and since when
 */
public record PlacementFacts(
    String volume,
    int maxCopies,
    int addAfterLogins,
    Optional<Duration> addAfterStay,
    List<Copy> copies,
    Map<String, Position> positions,
    List<String> up,
    List<String> recentNearest,
    Optional<Stay> stay,
    Instant now) {

  /** One copy of the volume. */
  public record Copy(String dataCenter, boolean primary, boolean copying) {}

  /** Logins nearest to one data center without a break since a moment. */
  public record Stay(String dataCenter, Instant since) {}

  public PlacementFacts {
    copies = List.copyOf(copies);
    positions = Map.copyOf(positions);
    up = List.copyOf(up);
    recentNearest = List.copyOf(recentNearest);
  }

  public boolean holdsCopy(String dataCenter) {
    return copies.stream().anyMatch(c -> c.dataCenter().equals(dataCenter));
  }

  /** The same facts as if a complete copy were added there: what a dry run would do next. */
  public PlacementFacts withCopyAt(String dataCenter) {
    List<Copy> more = new ArrayList<>(copies);
    more.add(new Copy(dataCenter, false, false));
    return new PlacementFacts(
        volume,
        maxCopies,
        addAfterLogins,
        addAfterStay,
        more,
        positions,
        up,
        recentNearest,
        stay,
        now);
  }
}
