package org.roamstore.directory.provisioning;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VerifyStatus;

/**
 * Clears the copying mark of a copy added to a volume in use once it is complete ({@link
 * CopyCheck}: in sync at its primary, then a verify without difference). {@link CopyWatch} asks
 * every second while a copy is under way; a login and a volume described with storage asked ask
 * too, so they see the mark as it stands.
 */
@ApplicationScoped
public class InitialCopies {
  private static final Logger LOG = Logger.getLogger(InitialCopies.class.getName());

  @Inject private StorageSites sites;
  @Inject private DirectoryEvents events;

  /**
   * Asks the primary about the volume's copying members, starts the verify of those in sync and
   * clears the mark of those verified. The caller holds the volume's row locked. If the primary
   * cannot be asked, nothing changes: a copy is never taken as complete without its primary saying
   * so.
   */
  public void catchUp(VirtualVolume volume) {
    List<RealVolumeInfo> copying =
        volume.realVolumes().stream().filter(RealVolumeInfo::isCopying).toList();
    if (copying.isEmpty()) {
      return;
    }
    RealVolumeInfo primary = volume.primary();
    try (StorageConnection storage = sites.connect(primary.dataCenter().storageSystem())) {
      Map<String, CopyGroupStatus.SecondaryStatus> reported =
          secondaries(storage.copyGroupStatus(primary.volumeId()));
      for (RealVolumeInfo real : copying) {
        String system = real.dataCenter().storageSystem();
        switch (CopyCheck.next(real.copyVerifyStartedAt(), reported.get(system))) {
          case START_VERIFY -> startVerify(storage, volume, real);
          case COMPLETE -> complete(volume, real, reported.get(system).verify());
          case VERIFY_AGAIN -> {
            LOG.log(
                differed(reported.get(system)) ? Level.WARNING : Level.INFO,
                "the verify of the new copy of "
                    + volume.name()
                    + " at "
                    + real.dataCenter().name()
                    + " did not find it complete ("
                    + describe(reported.get(system))
                    + "); it is verified again once in sync");
            real.copyVerifyStarted(Optional.empty());
          }
          case WAIT -> {}
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "could not ask the primary of " + volume.name() + " about its copies", e);
    }
  }

  private void startVerify(StorageConnection storage, VirtualVolume volume, RealVolumeInfo real) {
    String system = real.dataCenter().storageSystem();
    CopyGroupStatus after =
        storage.verify(volume.primary().volumeId(), new VerifyRequest(Set.of(system), 0, true));
    CopyGroupStatus.SecondaryStatus s = secondaries(after).get(system);
    if (s == null || s.verify() == null) {
      return; // not started (it fell out of sync meanwhile): asked again next time
    }
    real.copyVerifyStarted(Optional.of(s.verify().startedAt()));
    LOG.info(
        "the copy of "
            + volume.name()
            + " at "
            + real.dataCenter().name()
            + " is in sync; verifying it before logins may use it");
  }

  private void complete(VirtualVolume volume, RealVolumeInfo real, VerifyStatus verify) {
    volume.copyInSync(real);
    events.publish(
        DirectoryEvents.event(EventType.COPY_IN_SYNC)
            .add("volume", volume.name())
            .add("dataCenter", real.dataCenter().name())
            .add("primary", volume.primary().dataCenter().name())
            .add("verifiedBytes", verify.bytesVerified())
            .add("verifyStartedAt", verify.startedAt().toString())
            .build());
  }

  /** The secondaries the status reports, by storage system; none if it is not the primary's. */
  static Map<String, CopyGroupStatus.SecondaryStatus> secondaries(CopyGroupStatus status) {
    if (status.role() != CopyGroupStatus.Role.PRIMARY) {
      return Map.of();
    }
    return status.secondaries().stream()
        .collect(Collectors.toMap(CopyGroupStatus.SecondaryStatus::storageSystem, s -> s));
  }

  private static boolean differed(CopyGroupStatus.SecondaryStatus s) {
    return s != null
        && s.verify() != null
        && s.verify().outcome() == VerifyStatus.Outcome.DIFFERENCES;
  }

  private static String describe(CopyGroupStatus.SecondaryStatus s) {
    if (s == null) {
      return "its primary does not report it";
    }
    VerifyStatus v = s.verify();
    return s.state()
        + (v == null
            ? ", no verify"
            : ", verify " + v.outcome() + " with " + v.differingRegions() + " differing regions");
  }
}
