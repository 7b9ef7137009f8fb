package org.roamstore.directory.provisioning;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.events.EventType;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.StorageConnection;

/**
 * Clears the copying mark of a copy added to a volume in use once its primary reports it IN_SYNC.
 * The directory has no process that watches the copy; it asks where it would act on the mark (a
 * login choosing a site) or show it (a volume described with storage asked).
 */
@ApplicationScoped
public class InitialCopies {
  private static final Logger LOG = Logger.getLogger(InitialCopies.class.getName());

  @Inject private StorageSites sites;
  @Inject private DirectoryEvents events;

  /**
   * Asks the primary about the volume's copying members and clears the mark of those in sync. The
   * caller holds the volume's row locked. If the primary cannot be asked, the marks stay: a copy is
   * never taken as complete without its primary saying so.
   */
  public void catchUp(VirtualVolume volume) {
    List<RealVolumeInfo> copying =
        volume.realVolumes().stream().filter(RealVolumeInfo::isCopying).toList();
    if (copying.isEmpty()) {
      return;
    }
    RealVolumeInfo primary = volume.primary();
    Set<String> inSync;
    try (StorageConnection storage = sites.connect(primary.dataCenter().storageSystem())) {
      inSync = inSync(storage.copyGroupStatus(primary.volumeId()));
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "could not ask the primary of " + volume.name() + " about its copies", e);
      return;
    }
    for (RealVolumeInfo real : copying) {
      if (inSync.contains(real.dataCenter().storageSystem())) {
        volume.copyInSync(real);
        events.publish(
            DirectoryEvents.event(EventType.COPY_IN_SYNC)
                .add("volume", volume.name())
                .add("dataCenter", real.dataCenter().name())
                .add("primary", primary.dataCenter().name())
                .build());
      }
    }
  }

  /** The storage systems the primary's status shows in sync; none if it is not the primary. */
  static Set<String> inSync(CopyGroupStatus status) {
    if (status.role() != CopyGroupStatus.Role.PRIMARY) {
      return Set.of();
    }
    return status.secondaries().stream()
        .filter(s -> s.state() == CopyGroupStatus.State.IN_SYNC)
        .map(CopyGroupStatus.SecondaryStatus::storageSystem)
        .collect(Collectors.toSet());
  }
}
