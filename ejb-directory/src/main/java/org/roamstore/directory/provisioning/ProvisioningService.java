package org.roamstore.directory.provisioning;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
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
import org.roamstore.directory.model.AccessGrant;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.model.PrimarySwitch;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.VolumeInfo;

/** Creates, describes and deletes virtual volumes, in the directory and at every site. */
@Stateless
public class ProvisioningService {

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private StorageSites sites;
  @Inject private DirectoryEvents events;
  @Inject private SwitchService switches;

  private VolumeProvisioner provisioner;

  @PostConstruct
  void init() {
    provisioner = new VolumeProvisioner(sites, switches);
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
      DataCenter site = em.find(DataCenter.class, name);
      if (site == null) {
        throw new DirectoryException(
            ErrorCode.UNKNOWN_DATA_CENTER, "no data center named '" + name + "'");
      }
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
    em.remove(volume);
    events.publish(
        DirectoryEvents.event(EventType.VOLUME_DELETED).add("volume", volume.name()).build());
  }

  public VolumeView describe(@NotNull String name, boolean askStorage) {
    VirtualVolume volume = findVolume(name);
    if (volume == null) {
      throw unknown(name);
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
