package org.roamstore.directory.sites;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.events.EventType;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.login.NetworkInterfaces;
import org.roamstore.directory.model.AccessGrant;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DownReason;
import org.roamstore.directory.model.Installation;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageException;

/**
 * Adds and removes data centers at run time, and marks them down and up, for operators and for the
 * site watch ({@link SiteWatch}).
 */
@Stateless
public class SiteService {
  private static final Logger LOG = Logger.getLogger(SiteService.class.getName());

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private SwitchService switches;
  @Inject private DirectoryEvents events;
  @Inject private NetworkInterfaces networkInterfaces;

  /**
   * Adds a data center and its network interfaces, up; refused with nothing changed when its name
   * or storage system is taken or an interface conflicts ({@link SiteAdditions}). Logins consider
   * it once it holds a copy; its storage system is reached as every other one is.
   */
  public DataCenter add(@NotNull @Valid NewDataCenter request) {
    serializeSiteChanges();
    DataCenter site = request.dataCenter();
    List<NetworkInterface> interfaces = request.interfaces();
    Optional<DirectoryException> refusal =
        SiteAdditions.refusal(site, dataCenters())
            .or(() -> SiteAdditions.refusal(interfaces, knownInterfaces()));
    if (refusal.isPresent()) {
      throw refusal.get();
    }
    persist(site, interfaces, "api");
    return site;
  }

  /**
   * Removes a data center that holds no copy and serves no login: drop or move its copies first.
   * Its past grants go with it; network interfaces stay (they are where users are, and logins from
   * them go to the nearest data center left). Its own server and broker are the operator's to stop.
   */
  public void remove(@NotNull String name) {
    serializeSiteChanges();
    DataCenter site = find(name);
    List<String> volumes =
        em.createNamedQuery(RealVolumeInfo.VOLUME_NAMES_AT, String.class)
            .setParameter("dataCenter", site)
            .getResultList();
    if (!volumes.isEmpty()) {
      throw new DirectoryException(
          ErrorCode.DATA_CENTER_IN_USE,
          "data center '"
              + name
              + "' holds copies of "
              + volumes.size()
              + " volume(s); drop or move them first",
          Map.of("volumes", String.join(",", volumes.subList(0, Math.min(20, volumes.size())))));
    }
    long serving =
        em.createNamedQuery(AccessGrant.ACTIVE_AT, Long.class)
            .setParameter("dataCenter", site)
            .setParameter("now", Instant.now())
            .getSingleResult();
    if (serving > 0) {
      throw new DirectoryException(
          ErrorCode.DATA_CENTER_IN_USE,
          "data center '" + name + "' still serves " + serving + " login(s)",
          Map.of("activeGrants", String.valueOf(serving)));
    }
    em.createNamedQuery(AccessGrant.DELETE_AT).setParameter("dataCenter", site).executeUpdate();
    em.remove(site);
    em.flush();
    events.publish(
        DirectoryEvents.event(EventType.DATA_CENTER_REMOVED)
            .add("dataCenter", name)
            .add("storageSystem", site.storageSystem())
            .build());
    networkInterfaces.forget();
    LOG.info("removed data center " + name + " (storage system " + site.storageSystem() + ")");
  }

  /**
   * What a topology file has that the directory lacks: its data centers and network interfaces not
   * there by name are added, each unless it conflicts with what is there. Nothing the directory
   * holds is changed or removed, since operators may have changed it; every difference and every
   * refusal is logged instead.
   */
  public void addFromTopology(
      List<DataCenter> fileSites, List<NetworkInterface> fileInterfaces, String from) {
    serializeSiteChanges();
    Map<String, DataCenter> known = new LinkedHashMap<>();
    dataCenters().forEach(d -> known.put(d.name(), d));
    for (DataCenter site : fileSites) {
      DataCenter there = known.get(site.name());
      if (there != null) {
        List<String> differences = SiteAdditions.differences(site, there);
        if (!differences.isEmpty()) {
          LOG.warning(
              "data center "
                  + site.name()
                  + " differs in "
                  + from
                  + " from the directory, which is kept: "
                  + differences);
        }
        continue;
      }
      Optional<DirectoryException> refusal =
          SiteAdditions.refusal(site, List.copyOf(known.values()));
      if (refusal.isPresent()) {
        LOG.warning(
            "data center "
                + site.name()
                + " of "
                + from
                + " not added: "
                + refusal.get().getMessage());
        continue;
      }
      persist(site, List.of(), from);
      known.put(site.name(), site);
    }
    List<String> notInFile =
        known.keySet().stream()
            .filter(name -> fileSites.stream().noneMatch(d -> d.name().equals(name)))
            .toList();
    if (!notInFile.isEmpty()) {
      LOG.info("data centers in the directory but not in " + from + " (kept): " + notInFile);
    }
    List<NetworkInterface> interfaces = new ArrayList<>(knownInterfaces());
    for (NetworkInterface candidate : fileInterfaces) {
      Optional<NetworkInterface> there =
          interfaces.stream().filter(n -> n.name().equals(candidate.name())).findFirst();
      if (there.isPresent()) {
        List<String> differences = SiteAdditions.differences(candidate, there.get());
        if (!differences.isEmpty()) {
          LOG.warning(
              "network interface "
                  + candidate.name()
                  + " differs in "
                  + from
                  + " from the directory, which is kept: "
                  + differences);
        }
        continue;
      }
      Optional<DirectoryException> refusal = SiteAdditions.refusal(List.of(candidate), interfaces);
      if (refusal.isPresent()) {
        LOG.warning(
            "network interface "
                + candidate.name()
                + " of "
                + from
                + " not added: "
                + refusal.get().getMessage());
        continue;
      }
      em.persist(candidate);
      interfaces.add(candidate);
      LOG.info("added network interface " + candidate.name() + " from " + from);
    }
    networkInterfaces.forget();
  }

  /**
   * Additions and removals one at a time across directory instances: two additions at once could
   * each pass the checks with names or ranges that conflict with the other's.
   */
  private void serializeSiteChanges() {
    em.find(Installation.class, Installation.THE_ONE, LockModeType.PESSIMISTIC_WRITE);
  }

  private void persist(DataCenter site, List<NetworkInterface> interfaces, String source) {
    em.persist(site);
    interfaces.forEach(em::persist);
    em.flush();
    JsonArrayBuilder names = Json.createArrayBuilder();
    interfaces.forEach(n -> names.add(n.name()));
    events.publish(
        DirectoryEvents.event(EventType.DATA_CENTER_ADDED)
            .add("dataCenter", site.name())
            .add("storageSystem", site.storageSystem())
            .add("networkInterfaces", names)
            .add("source", source)
            .build());
    networkInterfaces.forget();
    LOG.info(
        "added data center "
            + site.name()
            + " (storage system "
            + site.storageSystem()
            + ", host server "
            + site.hostServerAddress()
            + ") with network interfaces "
            + interfaces.stream().map(NetworkInterface::name).toList()
            + " from "
            + source);
  }

  private List<DataCenter> dataCenters() {
    return em.createNamedQuery(DataCenter.ALL, DataCenter.class).getResultList();
  }

  private List<NetworkInterface> knownInterfaces() {
    return em.createNamedQuery(NetworkInterface.ALL, NetworkInterface.class).getResultList();
  }

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
