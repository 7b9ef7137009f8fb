package org.roamstore.directory.sites;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.naming.NamingException;
import org.roamstore.directory.copygroup.SiteUnreachableException;
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

  /**
   * What one ping found: {@code error} null when the unit answered; {@code configuredHere} false
   * when this server has no connection factory for the storage system at all, which says nothing
   * about the site (another server sharing the directory may reach it) and so does not count.
   */
  public record Ping(String error, boolean configuredHere) {
    static final Ping ANSWERED = new Ping(null, true);

    public boolean answered() {
      return error == null;
    }
  }

  private final int failuresToMarkDown;
  private final Map<String, Integer> failures = new HashMap<>();

  public SiteLiveness(int failuresToMarkDown) {
    if (failuresToMarkDown < 1) {
      throw new IllegalArgumentException("failuresToMarkDown must be at least 1");
    }
    this.failuresToMarkDown = failuresToMarkDown;
  }

  /** Pings one storage control unit: connects and asks for its status. */
  public static Ping ping(StorageSites storage, String storageSystem) {
    try (StorageConnection connection = storage.connect(storageSystem)) {
      connection.status();
      return Ping.ANSWERED;
    } catch (RuntimeException e) {
      return new Ping(
          e.getMessage() != null ? e.getMessage() : e.toString(),
          !(e instanceof SiteUnreachableException && e.getCause() instanceof NamingException));
    }
  }

  /**
   * Takes one round of pings and returns the changes it calls for.
   *
   * @param sites the data centers to judge, as the directory has them now (those this server has no
   *     connection factory for left out)
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
