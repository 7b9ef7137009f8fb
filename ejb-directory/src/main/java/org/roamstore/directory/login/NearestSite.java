package org.roamstore.directory.login;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.roamstore.directory.model.Position;

/**
 * Step 802 of Fig. 8: the up data center holding a copy that is nearest to the user. A copy still
 * being copied (added to a volume in use, not yet in sync) is never chosen: a login there would
 * make primary a copy that lacks data.
 */
public final class NearestSite {

  /**
   * A data center holding a copy of the volume, as the choice needs to see it.
   *
   * @param copying whether its copy's initial copy is still under way
   */
  public record Site(String name, Position position, boolean up, boolean copying) {

    /** A site whose copy is complete. */
    public Site(String name, Position position, boolean up) {
      this(name, position, up, false);
    }

    /** Whether a login may be sent there. */
    public boolean eligible() {
      return up && !copying;
    }
  }

  /** The chosen site and how far it is from the user. */
  public record Choice(Site site, double kilometers) {}

  private NearestSite() {}

  /**
   * The nearest site that is up and not copying; ties go to the name that sorts first, so the same
   * question always gets the same answer. Empty when no site is eligible.
   */
  public static Optional<Choice> choose(Position user, List<Site> sites) {
    return sites.stream()
        .filter(Site::eligible)
        .map(s -> new Choice(s, user.kilometersTo(s.position())))
        .min(Comparator.comparingDouble(Choice::kilometers).thenComparing(c -> c.site().name()));
  }
}
