package org.roamstore.directory.login;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.roamstore.directory.model.Position;

/** Step 802 of Fig. 8: the up data center holding a copy that is nearest to the user. */
public final class NearestSite {

  /** A data center holding a copy of the volume, as the choice needs to see it. */
  public record Site(String name, Position position, boolean up) {}

  /** The chosen site and how far it is from the user. */
  public record Choice(Site site, double kilometers) {}

  private NearestSite() {}

  /**
   * The nearest site that is up; ties go to the name that sorts first, so the same question always
   * gets the same answer. Empty when every site is down.
   */
  public static Optional<Choice> choose(Position user, List<Site> sites) {
    return sites.stream()
        .filter(Site::up)
        .map(s -> new Choice(s, user.kilometersTo(s.position())))
        .min(Comparator.comparingDouble(Choice::kilometers).thenComparing(c -> c.site().name()));
  }
}
