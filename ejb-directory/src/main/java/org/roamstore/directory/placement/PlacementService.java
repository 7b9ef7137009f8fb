package org.roamstore.directory.placement;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.login.LoginService;
import org.roamstore.directory.login.NearestSite;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.PlacementLogin;
import org.roamstore.directory.model.PlacementMode;
import org.roamstore.directory.model.PlacementPolicy;
import org.roamstore.directory.model.Position;
import org.roamstore.directory.model.VirtualVolume;

/**
 * The placement policy in the directory: set and shown by an admin, fed with each login of a volume
 * that has one. Deciding happens here, in a short transaction of its own under the volume's lock;
 * carrying a decision out is {@link PlacementTrigger}'s, through the provisioning service.
 */
@Stateless
public class PlacementService {

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private DirectoryEvents events;

  /**
   * Sets the volume's policy. Turning it off forgets the logins it noted: when it is turned on
   * again, it starts from the logins after that.
   */
  public PlacementView set(@NotNull String volumeName, @NotNull @Valid PlacementSettings settings) {
    VirtualVolume volume = LoginService.lockVolume(em, volumeName);
    PlacementMode mode = PlacementMode.ofLabel(settings.mode()).orElseThrow();
    boolean off = mode == PlacementMode.OFF;
    volume
        .placementToChange()
        .set(
            mode,
            off ? null : PlacementSettings.whole(settings.maxCopies()),
            off ? null : PlacementSettings.whole(settings.addAfterLogins()),
            off ? null : PlacementSettings.whole(settings.addAfterStayMinutes()));
    if (off) {
      em.createNamedQuery(PlacementLogin.DELETE_OF_VOLUME)
          .setParameter("volume", volume)
          .executeUpdate();
    }
    events.publish(PlacementEvents.set(volume.name(), settings).build());
    return view(volume, dataCenters());
  }

  public PlacementView view(@NotNull String volumeName) {
    VirtualVolume volume =
        find(volumeName)
            .orElseThrow(
                () ->
                    new DirectoryException(
                        ErrorCode.UNKNOWN_VOLUME, "no virtual volume named '" + volumeName + "'"));
    return view(volume, dataCenters());
  }

  private Optional<VirtualVolume> find(String volumeName) {
    return em
        .createNamedQuery(VirtualVolume.BY_NAME, VirtualVolume.class)
        .setParameter("name", volumeName)
        .getResultList()
        .stream()
        .findFirst();
  }

  /** The policy's view of a volume the caller has read already, with every data center. */
  public PlacementView view(VirtualVolume volume, List<DataCenter> centers) {
    PlacementPolicy policy = volume.placement();
    if (policy.isOff()) {
      return new PlacementView(
          volume.name(), policy.mode().label(), null, null, null, Map.of(), null, null, null);
    }
    List<String> recent = recentNearest(volume, policy.addAfterLogins());
    PlacementFacts facts = facts(volume, policy, centers, recent, Instant.now());
    return new PlacementView(
        volume.name(),
        policy.mode().label(),
        policy.maxCopies(),
        policy.addAfterLogins(),
        policy.addAfterStay().map(d -> (int) d.toMinutes()).orElse(null),
        counts(recent),
        policy.stayAt().orElse(null),
        policy.staySince().orElse(null),
        PlacementRule.decide(facts));
  }

  /**
   * After a committed login of the volume through a network interface: notes the data center
   * nearest to it among all that are up, decides, and announces the decision. Returns what is to be
   * carried out now: nothing unless the mode is {@code on}.
   */
  public List<PlacementDecision> noteLogin(
      @NotNull String volumeName,
      @NotNull String networkInterface,
      @NotNull Position from,
      @NotNull Instant at) {
    VirtualVolume volume = LoginService.lockVolume(em, volumeName);
    PlacementPolicy policy = volume.placement();
    if (policy.isOff()) {
      return List.of(); // turned off since the login
    }
    List<DataCenter> centers = dataCenters();
    Optional<NearestSite.Choice> nearest =
        NearestSite.choose(
            from,
            centers.stream()
                .map(d -> new NearestSite.Site(d.name(), d.position(), d.isUp()))
                .toList());
    if (nearest.isEmpty()) {
      return List.of(); // every data center is down: nowhere to add a copy
    }
    String near = nearest.get().site().name();
    em.persist(new PlacementLogin(volume, networkInterface, near, at));
    policy.loginNearest(near, at);
    em.flush();
    forgetOlder(volume, policy.addAfterLogins());
    return decide(volume, policy, centers, at);
  }

  /**
   * After the volume's copy work ended (an added copy complete, a move finished): decides again on
   * the logins noted so far, so a copy too many goes now rather than at the next login. Returns
   * what is to be carried out, as {@link #noteLogin} does.
   */
  public List<PlacementDecision> reconsider(@NotNull String volumeName) {
    if (find(volumeName).isEmpty()) {
      return List.of(); // deleted meanwhile
    }
    VirtualVolume volume = LoginService.lockVolume(em, volumeName);
    PlacementPolicy policy = volume.placement();
    if (policy.isOff()) {
      return List.of();
    }
    return decide(volume, policy, dataCenters(), Instant.now());
  }

  /** Decides on the volume's recent logins, announces the decision, returns what mode on does. */
  private List<PlacementDecision> decide(
      VirtualVolume volume, PlacementPolicy policy, List<DataCenter> centers, Instant at) {
    List<String> recent = recentNearest(volume, policy.addAfterLogins());
    PlacementFacts facts = facts(volume, policy, centers, recent, at);
    PlacementMode mode = policy.mode();
    List<PlacementDecision> decisions =
        mode == PlacementMode.DRY_RUN
            ? PlacementRule.dryRun(facts)
            : List.of(PlacementRule.decide(facts));
    PlacementDecision first = decisions.get(0);
    // A dry run changes nothing, so it would decide the same at every login: announced once, and
    // again only after it decided something else (or nothing) in between.
    boolean repeated =
        mode == PlacementMode.DRY_RUN
            && first.acts()
            && first.key().equals(policy.lastDecision().orElse(null));
    policy.decided(first.key());
    List<PlacementDecision> acting = decisions.stream().filter(PlacementDecision::acts).toList();
    if (!repeated) {
      acting.forEach(d -> events.publish(PlacementEvents.decided(volume.name(), mode, d).build()));
    }
    return mode == PlacementMode.ON ? acting : List.of();
  }

  /** A decision of mode {@code on} failed at provisioning: announced, nothing else changes. */
  public void failed(
      @NotNull String volumeName, @NotNull PlacementDecision decision, @NotNull String error) {
    events.publish(PlacementEvents.failed(volumeName, decision, error).build());
  }

  /**
   * The nearest data centers of the volume's newest logins that the policy counts, newest first.
   */
  private List<String> recentNearest(VirtualVolume volume, int count) {
    return newest(volume, count).stream().map(PlacementLogin::nearestDataCenter).toList();
  }

  private List<PlacementLogin> newest(VirtualVolume volume, int count) {
    return em.createNamedQuery(PlacementLogin.NEWEST_FIRST, PlacementLogin.class)
        .setParameter("volume", volume)
        .setMaxResults(Math.max(1, count))
        .getResultList();
  }

  /** Deletes the volume's logins older than the newest {@code keep}: the table stays small. */
  private void forgetOlder(VirtualVolume volume, int keep) {
    List<PlacementLogin> newest = newest(volume, keep);
    if (newest.size() == keep) {
      em.createNamedQuery(PlacementLogin.DELETE_OLDER)
          .setParameter("volume", volume)
          .setParameter("id", newest.get(keep - 1).id())
          .executeUpdate();
    }
  }

  private List<DataCenter> dataCenters() {
    return em.createNamedQuery(DataCenter.ALL, DataCenter.class).getResultList();
  }

  private static PlacementFacts facts(
      VirtualVolume volume,
      PlacementPolicy policy,
      List<DataCenter> centers,
      List<String> recent,
      Instant now) {
    return new PlacementFacts(
        volume.name(),
        policy.maxCopies(),
        policy.addAfterLogins(),
        policy.addAfterStay(),
        volume.realVolumes().stream()
            .map(r -> new PlacementFacts.Copy(r.dataCenter().name(), r.isPrimary(), r.isCopying()))
            .toList(),
        centers.stream().collect(Collectors.toMap(DataCenter::name, DataCenter::position)),
        centers.stream().filter(DataCenter::isUp).map(DataCenter::name).toList(),
        recent,
        policy.stayAt().flatMap(d -> policy.staySince().map(s -> new PlacementFacts.Stay(d, s))),
        now);
  }

  /** How many of the logins were nearest to each data center, most first, then by name. */
  static Map<String, Integer> counts(List<String> nearest) {
    Map<String, Integer> counted = new LinkedHashMap<>();
    nearest.stream()
        .collect(Collectors.groupingBy(n -> n, Collectors.summingInt(n -> 1)))
        .entrySet()
        .stream()
        .sorted(
            Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> counted.put(e.getKey(), e.getValue()));
    return counted;
  }
}
