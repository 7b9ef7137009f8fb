package org.roamstore.directory.sites;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import javax.naming.NamingException;
import org.roamstore.directory.copygroup.SiteUnreachableException;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.model.DownReason;
import org.roamstore.storage.api.StorageConnection;

/**
 * The rules of the site watch, without a container: pings are numbered in the order they are sent,
 * and several of one site may be out at once (a ping to a dead site takes its whole timeout, so
 * waiting for it before sending the next would add that timeout once per ping needed). A site that
 * is up and whose storage control unit fails {@code failuresToMarkDown} pings in a row, by the
 * order they were sent, goes down as {@link DownReason#UNREACHABLE}; a site down for that reason
 * comes back at its first answer. A ping that fails after a later one was answered does not count.
 * A site an operator marked down (or one down for no recorded reason) is never brought back by the
 * watch.
 *
 * <p>Ping numbers and failures live in memory, one set per instance: a restart starts counting
 * afresh.
 */
public final class SiteLiveness {

  /** A data center as the directory has it now. */
  public record Site(String name, String storageSystem, boolean up, DownReason downReason) {

    /** Whether the watch has a say over this site (up, or down because it did not answer). */
    public boolean watched() {
      return up || downReason == DownReason.UNREACHABLE;
    }

    Site withUp(boolean nowUp) {
      return new Site(name, storageSystem, nowUp, nowUp ? null : DownReason.UNREACHABLE);
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

  /** One site's pings: the directory's view of it, and the failures since its last answer. */
  private static final class Watched {
    Site view;
    long lastAnswered = -1;
    final TreeMap<Long, Long> sentAt = new TreeMap<>(); // ping -> clock, until it ends
    final TreeMap<Long, Long> failedSentAt = new TreeMap<>(); // failed ping -> when it was sent

    Watched(Site view) {
      this.view = view;
    }
  }

  private static final int KEPT_FAILURES = 64;

  private final int failuresToMarkDown;
  private final LongSupplier nanoClock;
  private final Map<String, Watched> sites = new HashMap<>();
  // Kept when a site is forgotten, so that a ping still out from before never shares a number
  // with one sent after the site is watched again.
  private final Map<String, Long> nextPing = new HashMap<>();

  public SiteLiveness(int failuresToMarkDown) {
    this(failuresToMarkDown, System::nanoTime);
  }

  /**
   * @param nanoClock a monotonic clock in nanoseconds, read when a ping is sent (only to say in a
   *     change how long a site has been silent)
   */
  public SiteLiveness(int failuresToMarkDown, LongSupplier nanoClock) {
    if (failuresToMarkDown < 1) {
      throw new IllegalArgumentException("failuresToMarkDown must be at least 1");
    }
    this.failuresToMarkDown = failuresToMarkDown;
    this.nanoClock = nanoClock;
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
   * Takes the directory's view of the sites (read afresh at every period: an operator's change is
   * seen at once) and returns the ones to ping now. Sites no longer watched are forgotten, with
   * their pings still out.
   *
   * @param current the data centers as the directory has them now (those this server has no
   *     connection factory for may be left out)
   */
  public synchronized List<Site> refresh(List<Site> current) {
    List<Site> watched = new ArrayList<>();
    Map<String, Site> byName = new HashMap<>();
    current.forEach(site -> byName.put(site.name(), site));
    sites.keySet().removeIf(name -> !byName.containsKey(name) || !byName.get(name).watched());
    for (Site site : current) {
      if (site.watched()) {
        sites.computeIfAbsent(site.name(), n -> new Watched(site)).view = site;
        watched.add(site);
      }
    }
    return watched;
  }

  /**
   * A ping to the site is going out now.
   *
   * @return its number, to report its end with
   */
  public synchronized long sent(String site) {
    Watched w = sites.get(site);
    if (w == null) {
      throw new IllegalStateException(site + " is not watched");
    }
    long ping = nextPing.merge(site, 1L, Long::sum) - 1;
    w.sentAt.put(ping, nanoClock.getAsLong());
    return ping;
  }

  /** The site's unit answered ping {@code ping}: up again if the watch had taken it down. */
  public synchronized Optional<Change> answered(String site, long ping) {
    Watched w = sites.get(site);
    if (w == null) {
      return Optional.empty(); // no longer watched (an operator marked it down meanwhile)
    }
    w.sentAt.remove(ping);
    if (ping > w.lastAnswered) {
      w.lastAnswered = ping;
      w.failedSentAt.headMap(ping).clear();
    }
    if (!w.view.up() && w.view.downReason() == DownReason.UNREACHABLE) {
      w.view = w.view.withUp(true);
      return Optional.of(new Change(site, true, "its storage control unit answers again"));
    }
    return Optional.empty();
  }

  /**
   * Ping {@code ping} of the site failed (or got no answer in time): down if it ends a run of
   * {@code failuresToMarkDown} failed pings, numbered one after the other, since the last answer.
   */
  public synchronized Optional<Change> failed(String site, long ping, String error) {
    Watched w = sites.get(site);
    if (w == null) {
      return Optional.empty();
    }
    Long sentAt = w.sentAt.remove(ping);
    if (ping < w.lastAnswered) {
      return Optional.empty(); // a later ping was answered: the site lived after this one
    }
    w.failedSentAt.put(ping, sentAt == null ? nanoClock.getAsLong() : sentAt);
    while (w.failedSentAt.size() > Math.max(KEPT_FAILURES, failuresToMarkDown)) {
      w.failedSentAt.pollFirstEntry(); // a dead site fails a ping every period, for good
    }
    long first = ping;
    while (w.failedSentAt.containsKey(first - 1)) {
      first--;
    }
    long last = ping;
    while (w.failedSentAt.containsKey(last + 1)) {
      last++;
    }
    long inARow = last - first + 1;
    if (w.view.up() && inARow >= failuresToMarkDown) {
      w.view = w.view.withUp(false);
      Duration silent = Duration.ofNanos(nanoClock.getAsLong() - w.failedSentAt.get(first));
      return Optional.of(
          new Change(
              site,
              false,
              inARow
                  + " pings in a row failed, the first sent "
                  + silent.toMillis()
                  + " ms ago; the last: "
                  + error));
    }
    return Optional.empty();
  }

  /** Ping {@code ping} of the site ended without saying anything about the site. */
  public synchronized void forget(String site, long ping) {
    Watched w = sites.get(site);
    if (w != null) {
      w.sentAt.remove(ping);
    }
  }

  public int failuresToMarkDown() {
    return failuresToMarkDown;
  }

  /** How many pings of the site are out (sent, neither answered nor failed yet). */
  public synchronized int outstanding(String site) {
    Watched w = sites.get(site);
    return w == null ? 0 : w.sentAt.size();
  }

  /**
   * Takes one round of pings, sent together and all ended, and returns the changes it calls for
   * (the same rules, for a caller that pings one round at a time).
   *
   * @param current the data centers to judge, as the directory has them now
   * @param failed storage system -> why it did not answer, for the watched sites that failed; a
   *     watched site not named here answered
   */
  public synchronized List<Change> observe(List<Site> current, Map<String, String> failed) {
    List<Change> changes = new ArrayList<>();
    for (Site site : refresh(current)) {
      long ping = sent(site.name());
      String error = failed.get(site.storageSystem());
      (error == null ? answered(site.name(), ping) : failed(site.name(), ping, error))
          .ifPresent(changes::add);
    }
    return changes;
  }
}
