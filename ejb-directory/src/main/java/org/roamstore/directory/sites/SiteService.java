package org.roamstore.directory.sites;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.events.EventType;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DownReason;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageException;

/** Marks data centers down and up, for operators and for the site watch ({@link SiteWatch}). */
@Stateless
public class SiteService {

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private SwitchService switches;
  @Inject private DirectoryEvents events;

  /**
   * Down by an operator: logins skip the site and switches do not contact it; a primary there can
   * only be taken over by force. Only an operator brings it back ({@link #markUp}); the site watch
   * leaves it alone even when its storage answers.
   */
  public DataCenter markDown(@NotNull String name) {
    return markDown(name, DownReason.MANUAL);
  }

  /**
   * Down for a reason. An operator's decision replaces the watch's on a site that is already down
   * (so the watch will not bring it back); the watch never replaces an operator's.
   */
  public DataCenter markDown(@NotNull String name, @NotNull DownReason reason) {
    DataCenter site = find(name);
    if (site.isUp()) {
      site.markDown(reason);
      events.publish(
          DirectoryEvents.event(EventType.DATA_CENTER_DOWN)
              .add("dataCenter", name)
              .add("reason", reason.name())
              .build());
    } else if (reason == DownReason.MANUAL) {
      site.markDown(DownReason.MANUAL);
    }
    return site;
  }

  /**
   * Down for the site watch ({@link DownReason#UNREACHABLE}), when it is up.
   *
   * @return whether this call marked it down (false: it was down already, perhaps by another
   *     instance's watch)
   */
  public boolean markUnreachable(@NotNull String name) {
    if (!find(name).isUp()) {
      return false;
    }
    markDown(name, DownReason.UNREACHABLE);
    return true;
  }

  /**
   * Up again, for the site watch: only a site the watch itself took down ({@link
   * DownReason#UNREACHABLE}) and that is still down; anything else is left unchanged.
   *
   * @return whether this call marked it up
   */
  public boolean markUpIfUnreachable(@NotNull String name) {
    DataCenter site = find(name);
    if (site.downReason().orElse(null) != DownReason.UNREACHABLE) {
      return false;
    }
    return bringUp(site).isUp();
  }

  /**
   * Up again: a forced takeover may have moved primaries while the site was away, and its storage
   * still holds the old copy group information (perhaps as primary). Every copy group with a member
   * there is defined anew at the site first ({@link SwitchService#bringBack}, which also carries
   * what the site holds that the others lack to the current primary); if that fails the site stays
   * down.
   */
  public DataCenter markUp(@NotNull String name) {
    DataCenter site = find(name);
    if (site.isUp()) {
      return site;
    }
    return bringUp(site);
  }

  private DataCenter bringUp(DataCenter site) {
    String name = site.name();
    Map<String, String> failures = new LinkedHashMap<>();
    for (VirtualVolume volume :
        em.createNamedQuery(VirtualVolume.WITH_MEMBER_AT, VirtualVolume.class)
            .setParameter("dataCenter", name)
            .getResultList()) {
      // Locked one by one (H2 refuses FOR UPDATE with DISTINCT), as a login would lock it.
      em.lock(volume, LockModeType.PESSIMISTIC_WRITE);
      CopyVolumeGroupInfo group = volume.copyGroup();
      try {
        switches.bringBack(group, site.storageSystem());
      } catch (StorageException e) {
        failures.put(volume.name(), e.getMessage());
      } catch (RuntimeException e) {
        failures.put(volume.name(), String.valueOf(e.getMessage()));
      }
    }
    if (!failures.isEmpty()) {
      throw new DirectoryException(
          ErrorCode.SITE_UNAVAILABLE,
          "data center " + name + " stays down: its copy groups could not be updated: " + failures,
          Map.of("site", name));
    }
    site.markUp();
    events.publish(DirectoryEvents.event(EventType.DATA_CENTER_UP).add("dataCenter", name).build());
    return site;
  }

  private DataCenter find(String name) {
    DataCenter site = em.find(DataCenter.class, name, LockModeType.PESSIMISTIC_WRITE);
    if (site == null) {
      throw new DirectoryException(
          ErrorCode.UNKNOWN_DATA_CENTER, "no data center named '" + name + "'");
    }
    return site;
  }
}
