package org.roamstore.directory.sites;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.model.DownReason;
import org.roamstore.storage.api.StorageConnection;

/**
 * The rules of the site watch, without a container: a site that is up and whose storage control
 * unit fails to answer {@code failuresToMarkDown} pings in a row goes down as {@link
 * DownReason#UNREACHABLE}; a site down for that reason comes back at its first answer. A site an
 * operator marked down (or one down for no recorded reason) is never brought back by the watch.
 *
 * <p>Failure counts live in memory, one set per instance: a restart starts counting afresh.
 */
public final class SiteLiveness {

  /** A data center as the directory has it now. */
  public record Site(String name, String storageSystem, boolean up, DownReason downReason) {

    /** Whether the watch has a say over this site (up, or down because it did not answer). */
    public boolean watched() {
      return up || downReason == DownReason.UNREACHABLE;
    }
  }

  /** What the watch asks the directory to do: mark the site up or down, and why. */
  public record Change(String site, boolean up, String why) {}

  private final int failuresToMarkDown;
  private final Map<String, Integer> failures = new HashMap<>();

  public SiteLiveness(int failuresToMarkDown) {
    if (failuresToMarkDown < 1) {
      throw new IllegalArgumentException("failuresToMarkDown must be at least 1");
    }
    this.failuresToMarkDown = failuresToMarkDown;
  }

  /**
   * Pings one storage control unit: connects and asks for its status.
   *
   * @return null when it answered, else why not
   */
  public static String ping(StorageSites storage, String storageSystem) {
    try (StorageConnection connection = storage.connect(storageSystem)) {
      connection.status();
      return null;
    } catch (RuntimeException e) {
      return e.getMessage() != null ? e.getMessage() : e.toString();
    }
  }

  /**
   * Takes one round of pings and returns the changes it calls for.
   *
   * @param sites every data center, as the directory has it now
   * @param failed storage system -> why it did not answer, for the watched sites that failed; a
   *     watched site not named here answered
   */
  public synchronized List<Change> observe(List<Site> sites, Map<String, String> failed) {
    List<Change> changes = new ArrayList<>();
    for (Site site : sites) {
      if (!site.watched()) {
        failures.remove(site.name());
        continue;
      }
      String error = failed.get(site.storageSystem());
      if (error == null) {
        failures.remove(site.name());
        if (!site.up()) {
          changes.add(new Change(site.name(), true, "its storage control unit answers again"));
        }
        continue;
      }
      int inARow = failures.merge(site.name(), 1, Integer::sum);
      if (site.up() && inARow >= failuresToMarkDown) {
        changes.add(
            new Change(site.name(), false, inARow + " pings in a row failed, the last: " + error));
      }
    }
    return changes;
  }
}
