package org.roamstore.directory.placement;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Add a copy at the data center nearest to the newest login when it holds none and the volume's
 * users are there: the last K logins were all nearest to it, or (with a stay set) every login for
 * at least T was. Empty when that is not so; {@link #notYet} says why.
 */
final class AddCopyWhereLoginsCome {
  private AddCopyWhereLoginsCome() {}

  static Optional<PlacementDecision> decide(PlacementFacts f) {
    if (f.recentNearest().isEmpty()) {
      return Optional.empty();
    }
    String there = f.recentNearest().get(0);
    if (f.holdsCopy(there) || !f.up().contains(there)) {
      return Optional.empty();
    }
    int run = run(f.recentNearest());
    if (run >= f.addAfterLogins()) {
      return Optional.of(
          PlacementDecision.add(
              there,
              run
                  + " of the last "
                  + run
                  + " logins nearest to "
                  + there
                  + ", which holds no copy"));
    }
    if (f.addAfterStay().isPresent() && f.stay().isPresent()) {
      PlacementFacts.Stay stay = f.stay().get();
      Duration stayed = Duration.between(stay.since(), f.now());
      if (stay.dataCenter().equals(there) && stayed.compareTo(f.addAfterStay().get()) >= 0) {
        return Optional.of(
            PlacementDecision.add(
                there,
                "every login for "
                    + stayed.toMinutes()
                    + " minutes (since "
                    + stay.since()
                    + ") nearest to "
                    + there
                    + ", which holds no copy; a stay of "
                    + f.addAfterStay().get().toMinutes()
                    + " adds one"));
      }
    }
    return Optional.empty();
  }

  /** Why no copy is added now, for the status view. */
  static String notYet(PlacementFacts f) {
    if (f.recentNearest().isEmpty()) {
      return "no login noted yet";
    }
    String there = f.recentNearest().get(0);
    if (f.holdsCopy(there)) {
      return "the last login was nearest to " + there + ", which holds a copy";
    }
    if (!f.up().contains(there)) {
      return "the last login was nearest to " + there + ", which is down";
    }
    return run(f.recentNearest())
        + " of the last "
        + f.recentNearest().size()
        + " logins nearest to "
        + there
        + ", which holds no copy; "
        + f.addAfterLogins()
        + " in a row add one"
        + f.addAfterStay().map(t -> " (or a stay of " + t.toMinutes() + " minutes)").orElse("");
  }

  /** How many of the newest logins in a row were nearest to the same data center as the newest. */
  private static int run(List<String> newestFirst) {
    int n = 0;
    while (n < newestFirst.size() && newestFirst.get(n).equals(newestFirst.get(0))) {
      n++;
    }
    return n;
  }
}
