package org.roamstore.directory.verify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.roamstore.directory.access.ReplicationLag;
import org.roamstore.directory.copygroup.SiteUnreachableException;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VerifyStatus;

/**
 * The rules of an online verify, free of the container: which copy is asked, how storage's refusals
 * become the directory's, and when a started verify is over.
 *
 * <p>Storage keeps one verify status per secondary, the last one. A verify is known as ours by the
 * start time storage gives it: the status is read before and after the request, and every secondary
 * whose verify changed is followed (so no clock is compared across machines). It is over when none
 * of them runs; one that storage no longer reports under that start time (the primary moved or
 * restarted, another verify replaced it) counts as interrupted, never as passed.
 */
public final class OnlineVerify {

  /**
   * A copy group as the directory holds it when the verify is asked.
   *
   * @param volume the virtual volume's name
   * @param epoch the directory's epoch of the group
   * @param primary the data center holding the primary
   * @param primaryStorageSystem its storage system
   * @param volumeId the real volume's id at the primary
   * @param primaryUp whether the directory has that data center up
   * @param secondaries data center of each secondary -> its storage system
   */
  public record Group(
      String volume,
      long epoch,
      String primary,
      String primaryStorageSystem,
      String volumeId,
      boolean primaryUp,
      Map<String, String> secondaries) {
    public Group {
      secondaries = Map.copyOf(secondaries);
    }
  }

  /** A secondary being verified: where it is and the start time storage gave its verify. */
  public record Followed(String dataCenter, String storageSystem, Instant startedAt) {}

  /**
   * A verify storage has started.
   *
   * @param followed the secondaries it compares
   * @param lags what the primary reported right after, per data center of each followed secondary
   */
  public record Started(List<Followed> followed, Map<String, ReplicationLag.Lag> lags) {
    public Started {
      followed = List.copyOf(followed);
      lags = java.util.Collections.unmodifiableMap(new TreeMap<>(lags));
    }
  }

  /**
   * How one secondary's verify ended.
   *
   * @param dataCenter the secondary
   * @param outcome NO_DIFFERENCE, DIFFERENCES or INTERRUPTED
   * @param verify storage's report; null when storage no longer reports it
   * @param detail why it was interrupted; null otherwise
   */
  public record Result(
      String dataCenter, String outcome, ReplicationLag.Verify verify, String detail) {

    /** Differing regions resynchronised from the primary (found and repair asked for). */
    public boolean repaired() {
      return verify != null
          && verify.repair()
          && VerifyStatus.Outcome.DIFFERENCES.name().equals(outcome);
    }
  }

  /** Where a followed verify stands. */
  public sealed interface Progress permits Running, Finished, Unanswered {}

  /** Some secondary is still being compared. */
  public record Running(Map<String, ReplicationLag.Lag> lags) implements Progress {}

  /** Every followed secondary's verify has ended. */
  public record Finished(List<Result> results) implements Progress {
    public Finished {
      results = List.copyOf(results);
    }

    /** DIFFERENCES if any secondary differed, else INTERRUPTED if any was, else NO_DIFFERENCE. */
    public String outcome() {
      Set<String> outcomes = results.stream().map(Result::outcome).collect(Collectors.toSet());
      for (VerifyStatus.Outcome o :
          List.of(VerifyStatus.Outcome.DIFFERENCES, VerifyStatus.Outcome.INTERRUPTED)) {
        if (outcomes.contains(o.name())) {
          return o.name();
        }
      }
      return VerifyStatus.Outcome.NO_DIFFERENCE.name();
    }
  }

  /** The primary's storage did not answer; nothing is known. */
  public record Unanswered(String why) implements Progress {}

  private final StorageSites sites;

  public OnlineVerify(StorageSites sites) {
    this.sites = sites;
  }

  /**
   * Starts a verify at the group's primary. Refusals change nothing: bad names before storage is
   * asked, storage's own refusals with its message.
   */
  public Started start(Group group, VerifyOptions options) {
    if (group.secondaries().isEmpty()) {
      throw new DirectoryException(
          ErrorCode.VERIFY_REFUSED,
          "volume '"
              + group.volume()
              + "' has one copy (at "
              + group.primary()
              + "); there is no other copy to compare it with",
          Map.of("volume", group.volume()));
    }
    Set<String> named = new TreeSet<>(options.secondariesOrAll());
    for (String dc : named) {
      if (dc.equals(group.primary())) {
        throw invalid(
            dc
                + " holds the primary of '"
                + group.volume()
                + "'; a verify compares the"
                + " secondaries with it");
      }
      if (!group.secondaries().containsKey(dc)) {
        throw invalid(
            "data center "
                + dc
                + " holds no copy of '"
                + group.volume()
                + "'; its secondaries are at "
                + new TreeSet<>(group.secondaries().keySet()));
      }
    }
    if (!group.primaryUp()) {
      throw unavailable(group.primary(), "data center " + group.primary() + " is marked down");
    }
    Map<String, String> dataCenterOf = new HashMap<>();
    group.secondaries().forEach((dc, system) -> dataCenterOf.put(system, dc));
    Set<String> systems =
        named.stream().map(dc -> group.secondaries().get(dc)).collect(Collectors.toSet());

    CopyGroupStatus before;
    CopyGroupStatus after;
    try (StorageConnection storage = connect(group.primaryStorageSystem(), group.primary())) {
      before = storage.copyGroupStatus(group.volumeId());
      if (before.role() != CopyGroupStatus.Role.PRIMARY) {
        throw new StorageException(
            StorageException.Reason.NOT_PRIMARY,
            "storage system "
                + group.primaryStorageSystem()
                + " holds a secondary of the group, not its primary");
      }
      after =
          storage.verify(
              group.volumeId(),
              new VerifyRequest(systems, options.rateOrDefault(), options.repairOrDefault()));
    } catch (StorageException e) {
      throw refusal(group, e);
    }
    Map<String, Instant> startedBefore = new HashMap<>();
    before.secondaries().stream()
        .filter(s -> s.verify() != null)
        .forEach(s -> startedBefore.put(s.storageSystem(), s.verify().startedAt()));
    List<Followed> followed = new ArrayList<>();
    Map<String, ReplicationLag.Lag> lags = new LinkedHashMap<>();
    List<String> notStarted = new ArrayList<>();
    for (CopyGroupStatus.SecondaryStatus s : after.secondaries()) {
      String dc = dataCenterOf.get(s.storageSystem());
      if (dc == null || !(named.isEmpty() || named.contains(dc))) {
        continue;
      }
      VerifyStatus v = s.verify();
      if (v != null && !v.startedAt().equals(startedBefore.get(s.storageSystem()))) {
        followed.add(new Followed(dc, s.storageSystem(), v.startedAt()));
        lags.put(dc, ReplicationLag.of(s));
      } else {
        notStarted.add(dc + " (" + s.state() + ")");
      }
    }
    if (followed.isEmpty()) {
      throw new DirectoryException(
          ErrorCode.VERIFY_REFUSED,
          "storage system "
              + group.primaryStorageSystem()
              + " started no verify of '"
              + group.volume()
              + "'"
              + (notStarted.isEmpty()
                  ? ": it reports no secondary"
                  : "; secondaries: " + String.join(", ", notStarted)),
          Map.of("volume", group.volume()));
    }
    return new Started(followed, lags);
  }

  /** Where the followed verifies stand, asked at the storage system they were started at. */
  public Progress follow(String primaryStorageSystem, String volumeId, List<Followed> followed) {
    CopyGroupStatus status;
    try (StorageConnection storage = sites.connect(primaryStorageSystem)) {
      status = storage.copyGroupStatus(volumeId);
    } catch (SiteUnreachableException e) {
      return new Unanswered(String.valueOf(e.getMessage()));
    } catch (StorageException e) {
      if (transientFailure(e)) {
        return new Unanswered(String.valueOf(e.getMessage()));
      }
      return interrupted(
          followed,
          "storage system " + primaryStorageSystem + " no longer reports it: " + e.getMessage());
    }
    if (status.role() != CopyGroupStatus.Role.PRIMARY) {
      return interrupted(
          followed,
          "storage system "
              + primaryStorageSystem
              + " is no longer the primary (the primary moved while it ran)");
    }
    Map<String, CopyGroupStatus.SecondaryStatus> bySystem = new HashMap<>();
    status.secondaries().forEach(s -> bySystem.put(s.storageSystem(), s));
    List<Result> results = new ArrayList<>();
    Map<String, ReplicationLag.Lag> lags = new TreeMap<>();
    boolean running = false;
    for (Followed f : followed) {
      CopyGroupStatus.SecondaryStatus s = bySystem.get(f.storageSystem());
      VerifyStatus v = s == null ? null : s.verify();
      if (v == null || !v.startedAt().equals(f.startedAt())) {
        results.add(
            new Result(
                f.dataCenter(),
                VerifyStatus.Outcome.INTERRUPTED.name(),
                null,
                s == null
                    ? f.dataCenter() + " is no longer a secondary at " + primaryStorageSystem
                    : primaryStorageSystem
                        + " no longer reports this verify (it restarted, or another verify"
                        + " replaced it)"));
        continue;
      }
      lags.put(f.dataCenter(), ReplicationLag.of(s));
      if (v.outcome() == VerifyStatus.Outcome.RUNNING) {
        running = true;
      }
      results.add(
          new Result(f.dataCenter(), v.outcome().name(), ReplicationLag.Verify.of(v), v.detail()));
    }
    return running ? new Running(lags) : new Finished(results);
  }

  /** Every followed verify counted as interrupted, for a reason the caller knows. */
  public static Finished interrupted(List<Followed> followed, String why) {
    return new Finished(
        followed.stream()
            .map(
                f -> new Result(f.dataCenter(), VerifyStatus.Outcome.INTERRUPTED.name(), null, why))
            .toList());
  }

  private StorageConnection connect(String storageSystem, String dataCenter) {
    try {
      return sites.connect(storageSystem);
    } catch (SiteUnreachableException e) {
      throw unavailable(dataCenter, e.getMessage());
    }
  }

  /** A storage failure that says nothing about the verify: ask again later. */
  private static boolean transientFailure(StorageException e) {
    return switch (e.reason()) {
      case UNREACHABLE, TIMEOUT, CLOSED, IO_ERROR -> true;
      default -> false;
    };
  }

  /** Storage's refusal as the directory's, with storage's own message. */
  static DirectoryException refusal(Group group, StorageException e) {
    Map<String, String> details =
        Map.of("volume", group.volume(), "site", group.primary(), "reason", e.reason().name());
    String message = "storage at " + group.primary() + " refused the verify: " + e.getMessage();
    return switch (e.reason()) {
      case INVALID_ARGUMENT, UNSUPPORTED ->
          new DirectoryException(ErrorCode.VERIFY_REFUSED, message, details);
      case UNREACHABLE, TIMEOUT, CLOSED, IO_ERROR ->
          new DirectoryException(
              ErrorCode.SITE_UNAVAILABLE,
              "storage at " + group.primary() + " did not answer: " + e.getMessage(),
              details);
      default ->
          // NOT_PRIMARY, NO_COPY_GROUP, UNKNOWN_VOLUME: storage and the directory disagree.
          new DirectoryException(ErrorCode.STORAGE_INCONSISTENT, message, details);
    };
  }

  private static DirectoryException invalid(String message) {
    return new DirectoryException(
        ErrorCode.VALIDATION_FAILED, message, Map.of("secondaries", message));
  }

  private static DirectoryException unavailable(String dataCenter, String message) {
    return new DirectoryException(
        ErrorCode.SITE_UNAVAILABLE,
        "the primary's data center cannot be reached: " + message,
        Map.of("site", dataCenter));
  }
}
