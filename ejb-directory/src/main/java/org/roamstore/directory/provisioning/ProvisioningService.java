package org.roamstore.directory.provisioning;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.events.EventType;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.login.LoginService;
import org.roamstore.directory.model.AccessGrant;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.model.PlacementLogin;
import org.roamstore.directory.model.PrimarySwitch;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.directory.transaction.AfterCompletion;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.VolumeInfo;

/**
 * Creates, describes and deletes virtual volumes, and adds and drops their copies, in the directory
 * and at every site.
 */
@Stateless
public class ProvisioningService {

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private StorageSites sites;
  @Inject private DirectoryEvents events;
  @Inject private SwitchService switches;
  @Inject private InitialCopies initialCopies;
  @EJB private CopyWatch copyWatch;
  @Resource private TransactionSynchronizationRegistry transactions;

  private VolumeProvisioner provisioner;
  private CopyChanges copies;

  @PostConstruct
  void init() {
    provisioner = new VolumeProvisioner(sites, switches);
    copies = new CopyChanges(provisioner, switches);
  }

  /**
   * The directory row is written and flushed first, so a name taken by a concurrent creation fails
   * before any storage is touched; storage is then made at every site or not at all.
   */
  public VolumeView create(@NotNull @Valid VolumeSpec spec) {
    DirectoryUser owner = em.find(DirectoryUser.class, spec.owner());
    if (owner == null) {
      throw new DirectoryException(ErrorCode.UNKNOWN_USER, "no user named '" + spec.owner() + "'");
    }
    if (findVolume(spec.name()) != null) {
      throw new DirectoryException(
          ErrorCode.VOLUME_EXISTS, "a volume named '" + spec.name() + "' exists");
    }
    VirtualVolume volume =
        new VirtualVolume(
            "v" + UUID.randomUUID().toString().replace("-", ""),
            spec.name(),
            owner,
            spec.sizeBytes(),
            spec.transferTypeOrDefault(),
            spec.takeoverPolicyOrDefault(),
            spec.syncFailurePolicyOrDefault(),
            spec.minimumStay());
    for (String name : spec.sitesPrimaryFirst()) {
      DataCenter site = dataCenter(name);
      if (!site.isUp()) {
        throw new DirectoryException(
            ErrorCode.SITE_UNAVAILABLE,
            "data center " + name + " is down; a volume is made at every site or not at all",
            Map.of("site", name));
      }
      volume.addRealVolume(site);
    }
    try {
      em.persist(volume);
      em.flush();
    } catch (PersistenceException e) {
      // The name was free a moment ago, so most likely a concurrent creation took it.
      throw new DirectoryException(
          ErrorCode.VOLUME_EXISTS,
          "could not record volume '"
              + spec.name()
              + "' (created concurrently?): "
              + e.getMessage());
    }
    provisioner.create(volume.copyGroup(), volume.sizeBytes());
    events.publish(
        DirectoryEvents.event(EventType.VOLUME_CREATED)
            .add("volume", volume.name())
            .add("owner", owner.name())
            .add("sizeBytes", volume.sizeBytes())
            .add("transferType", volume.transferType().name())
            .add("primary", volume.primary().dataCenter().name())
            .build());
    return describe(volume, false);
  }

  /**
   * Removes every copy, then the directory's record. If a site cannot delete its copy, the record
   * stays (so nothing is forgotten at storage) and the delete can be repeated.
   */
  public void delete(@NotNull String name) {
    VirtualVolume volume =
        em.createNamedQuery(VirtualVolume.BY_NAME, VirtualVolume.class)
            .setParameter("name", name)
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultStream()
            .findFirst()
            .orElseThrow(() -> unknown(name));
    Map<String, String> failures = provisioner.delete(volume.copyGroup());
    if (!failures.isEmpty()) {
      throw new DirectoryException(
          ErrorCode.SITE_UNAVAILABLE,
          "could not delete the copies at " + failures + "; the volume is kept, delete it again",
          Map.of("site", String.join(",", failures.keySet())));
    }
    em.createQuery("delete from AccessGrant g where g.virtualVolume = :v")
        .setParameter("v", volume)
        .executeUpdate();
    em.createNamedQuery(PlacementLogin.DELETE_OF_VOLUME)
        .setParameter("volume", volume)
        .executeUpdate();
    em.remove(volume);
    events.publish(
        DirectoryEvents.event(EventType.VOLUME_DELETED).add("volume", volume.name()).build());
  }

  /**
   * Adds a copy at a data center to a volume in use, at the same epoch: the primary's users go on
   * and it copies every written region to the new member. The copy is marked copying (no login
   * makes it primary) until it is complete ({@link CopyCheck}). Refused with nothing changed when
   * the volume or data center is unknown, a copy is there already, or a member or the new site is
   * down.
   */
  public VolumeView addCopy(@NotNull String name, @NotNull String siteName) {
    return addCopy(name, siteName, null);
  }

  /**
   * Moves a copy: adds one at {@code siteName} that replaces the copy at {@code replaces}, which is
   * dropped once the new one is complete (by {@link #finishMoves}), so the volume never has fewer
   * complete copies than before. Null {@code replaces}: a copy simply added. The primary's copy is
   * not moved this way (a login nearer another copy moves the primary first).
   */
  public VolumeView addCopy(@NotNull String name, @NotNull String siteName, String replaces) {
    VirtualVolume volume = LoginService.lockVolume(em, name);
    DataCenter site = dataCenter(siteName);
    if (volume.realVolumeAt(site.name()).isPresent()) {
      throw new DirectoryException(
          ErrorCode.COPY_EXISTS,
          "volume '" + name + "' already has a copy at " + site.name(),
          Map.of("site", site.name()));
    }
    String replaced =
        replaces == null ? null : movable(volume, dataCenter(replaces)).dataCenter().name();
    List<DataCenter> involved = new ArrayList<>(members(volume));
    involved.add(site);
    refuseIfDown(involved, "adding a copy");
    CopyVolumeGroupInfo before = volume.copyGroup();
    volume.addCopy(site, replaced);
    em.flush();
    copies.add(before, volume.copyGroup(), site.storageSystem(), volume.sizeBytes());
    var event =
        DirectoryEvents.event(EventType.COPY_ADDED)
            .add("volume", volume.name())
            .add("dataCenter", site.name())
            .add("primary", volume.primary().dataCenter().name())
            .add("epoch", volume.epoch());
    if (replaced != null) {
      event.add("replaces", replaced);
    }
    events.publish(event.build());
    transactions.registerInterposedSynchronization(
        new AfterCompletion(
            status -> {
              if (status == Status.STATUS_COMMITTED) {
                copyWatch.wake();
              }
            }));
    return describe(volume, false);
  }

  /**
   * Takes a secondary copy out of the volume's copy group and deletes it, at the same epoch. Never
   * the primary nor the only copy; refused with nothing changed also when the data center holds no
   * copy or a member is down.
   */
  public void dropCopy(@NotNull String name, @NotNull String siteName) {
    VirtualVolume volume = LoginService.lockVolume(em, name);
    drop(volume, movable(volume, dataCenter(siteName)), null);
  }

  /**
   * Asks storage how the volume's copies under way stand and clears the mark of those complete (in
   * a transaction of its own, so a failure of a move's drop after it does not undo it). Whether
   * work is left is {@link #finishMoves}'s answer, which comes after it.
   */
  public void followCopies(@NotNull String name) {
    VirtualVolume volume = findVolume(name);
    if (volume == null) {
      return; // deleted meanwhile
    }
    volume = LoginService.lockVolume(em, name);
    em.refresh(volume);
    initialCopies.catchUp(volume);
  }

  private static boolean hasCopyWork(VirtualVolume volume) {
    return volume.realVolumes().stream().anyMatch(r -> r.isCopying() || r.replaces().isPresent());
  }

  /**
   * Drops the copies that complete copies replace (moves), unless one is the primary now: that drop
   * waits until a login moves the primary away. A replaced copy someone dropped meanwhile ends the
   * move as it is. Returns whether the volume still has copy work (a deleted one has none).
   */
  public boolean finishMoves(@NotNull String name) {
    if (findVolume(name) == null) {
      return false;
    }
    VirtualVolume volume = LoginService.lockVolume(em, name);
    for (RealVolumeInfo real : List.copyOf(volume.realVolumes())) {
      String replaced = real.replaces().orElse(null);
      if (replaced == null || real.isCopying()) {
        continue;
      }
      RealVolumeInfo old = volume.realVolumeAt(replaced).orElse(null);
      if (old != null && (old.isPrimary() || members(volume).stream().anyMatch(d -> !d.isUp()))) {
        continue; // the drop needs every member up and the old copy a secondary: it waits
      }
      volume.replaced(real);
      if (old != null) {
        drop(volume, old, real.dataCenter().name());
      }
      events.publish(
          DirectoryEvents.event(EventType.COPY_MOVED)
              .add("volume", volume.name())
              .add("from", replaced)
              .add("to", real.dataCenter().name())
              .add("dropped", old != null)
              .build());
    }
    return hasCopyWork(volume);
  }

  /** The names of the volumes with copy work left (see {@link #finishMoves}). */
  public List<String> namesWithCopyWork() {
    return em.createNamedQuery(VirtualVolume.NAMES_WITH_COPY_WORK, String.class)
        .setMaxResults(1000)
        .getResultList();
  }

  /** The volume's copy at a data center that may be dropped: a secondary, not the only copy. */
  private static RealVolumeInfo movable(VirtualVolume volume, DataCenter site) {
    String name = volume.name();
    RealVolumeInfo real =
        volume
            .realVolumeAt(site.name())
            .orElseThrow(
                () ->
                    new DirectoryException(
                        ErrorCode.NO_COPY_THERE,
                        "volume '" + name + "' has no copy at " + site.name(),
                        Map.of("site", site.name())));
    if (volume.realVolumes().size() == 1) {
      throw new DirectoryException(
          ErrorCode.LAST_COPY,
          "the copy at " + site.name() + " is the only copy of '" + name + "'; delete the volume",
          Map.of("site", site.name()));
    }
    if (real.isPrimary()) {
      throw new DirectoryException(
          ErrorCode.COPY_IS_PRIMARY,
          "the copy at "
              + site.name()
              + " is the primary of '"
              + name
              + "'; a login nearer another copy moves it first",
          Map.of("site", site.name()));
    }
    return real;
  }

  /** Drops a secondary; {@code movedTo} names the copy that replaced it, null for a plain drop. */
  private void drop(VirtualVolume volume, RealVolumeInfo real, String movedTo) {
    String site = real.dataCenter().name();
    refuseIfDown(members(volume), "dropping a copy");
    CopyVolumeGroupInfo before = volume.copyGroup();
    boolean wasCopying = real.isCopying();
    volume.removeCopy(real);
    em.flush();
    Map<String, String> left =
        copies.drop(before, volume.copyGroup(), real.dataCenter().storageSystem());
    var event =
        DirectoryEvents.event(EventType.COPY_DROPPED)
            .add("volume", volume.name())
            .add("dataCenter", site)
            .add("wasCopying", wasCopying);
    if (movedTo != null) {
      event.add("movedTo", movedTo);
    }
    if (!left.isEmpty()) {
      event.add("realVolumeLeft", String.join("; ", left.values()));
    }
    events.publish(event.build());
  }

  public VolumeView describe(@NotNull String name, boolean askStorage) {
    VirtualVolume volume = findVolume(name);
    if (volume == null) {
      throw unknown(name);
    }
    if (askStorage && volume.realVolumes().stream().anyMatch(RealVolumeInfo::isCopying)) {
      // Clearing a mark changes the row: locked, as every change of the volume is, and read again
      // under the lock (a login may have cleared it meanwhile).
      volume = LoginService.lockVolume(em, name);
      em.refresh(volume);
      initialCopies.catchUp(volume);
    }
    return describe(volume, askStorage);
  }

  public List<String> names() {
    return em.createNamedQuery(VirtualVolume.ALL, VirtualVolume.class).getResultList().stream()
        .map(VirtualVolume::name)
        .toList();
  }

  private VolumeView describe(VirtualVolume volume, boolean askStorage) {
    List<VolumeView.Member> members = new ArrayList<>();
    for (RealVolumeInfo real : volume.realVolumes()) {
      Long epoch = null;
      String storagePrimary = null;
      String error = null;
      if (askStorage) {
        try (StorageConnection storage = sites.connect(real.dataCenter().storageSystem())) {
          VolumeInfo info = storage.volume(real.volumeId()).orElse(null);
          if (info == null) {
            error = "no such real volume";
          } else if (info.copyGroup().isEmpty()) {
            error = "no copy group";
          } else {
            epoch = info.copyGroup().get().epoch();
            storagePrimary = info.copyGroup().get().primary().address().storageSystem();
          }
        } catch (RuntimeException e) {
          error = String.valueOf(e.getMessage());
        }
      }
      members.add(
          new VolumeView.Member(
              real.dataCenter().name(),
              real.address().toString(),
              real.isPrimary(),
              real.isCopying(),
              real.replaces().orElse(null),
              real.dataCenter().isUp(),
              epoch,
              storagePrimary,
              error));
    }
    int active =
        em.createNamedQuery(AccessGrant.ACTIVE_FOR_VOLUME, AccessGrant.class)
            .setParameter("volume", volume)
            .setParameter("now", Instant.now())
            .getResultList()
            .size();
    List<VolumeView.Switch> switches =
        em
            .createNamedQuery(PrimarySwitch.FOR_VOLUME, PrimarySwitch.class)
            .setParameter("volume", volume.name())
            .getResultList()
            .stream()
            .map(
                s ->
                    new VolumeView.Switch(
                        s.fromDataCenter(),
                        s.toDataCenter(),
                        s.epoch(),
                        s.userName(),
                        s.isForced(),
                        s.skippedMembers(),
                        s.possibleLoss(),
                        s.at()))
            .toList();
    return new VolumeView(
        volume.name(),
        volume.owner().name(),
        volume.storageId(),
        volume.sizeBytes(),
        volume.transferType().name(),
        volume.takeoverPolicy().name(),
        volume.syncFailurePolicy().name(),
        volume.minimumStay().toSeconds(),
        volume.epoch(),
        volume.lastSwitchAt().orElse(null),
        active,
        members,
        switches);
  }

  private DataCenter dataCenter(String name) {
    DataCenter site = em.find(DataCenter.class, name);
    if (site == null) {
      throw new DirectoryException(
          ErrorCode.UNKNOWN_DATA_CENTER, "no data center named '" + name + "'");
    }
    return site;
  }

  private static List<DataCenter> members(VirtualVolume volume) {
    return volume.realVolumes().stream().map(RealVolumeInfo::dataCenter).toList();
  }

  /** Every member takes part in a change of the member list: none may be down. */
  private static void refuseIfDown(List<DataCenter> involved, String what) {
    List<String> down = involved.stream().filter(d -> !d.isUp()).map(DataCenter::name).toList();
    if (!down.isEmpty()) {
      throw new DirectoryException(
          ErrorCode.SITE_UNAVAILABLE,
          "data center " + String.join(", ", down) + " is down; " + what + " needs every member",
          Map.of("site", String.join(",", down)));
    }
  }

  private VirtualVolume findVolume(String name) {
    return em.createNamedQuery(VirtualVolume.BY_NAME, VirtualVolume.class)
        .setParameter("name", name)
        .getResultStream()
        .findFirst()
        .orElse(null);
  }

  private static DirectoryException unknown(String name) {
    return new DirectoryException(
        ErrorCode.UNKNOWN_VOLUME, "no virtual volume named '" + name + "'");
  }
}
