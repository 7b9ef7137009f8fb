package org.roamstore.storage.engine;

import org.roamstore.storage.activity.ActivityLog;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.cache.CachedVolume;
import org.roamstore.storage.volume.RealVolume;

/**
 * A real volume held by this control unit, as storage: its file, its cache view and its activity
 * log. What it is to its copy group (role, epoch, the locks that order writes against a switch) is
 * its {@link CopyGroupReplica}'s.
 */
final class HostedVolume {
  final RealVolumeAddress address;
  final RealVolume file;
  final CachedVolume cache;
  final ActivityLog activity;
  // False only while measuring what the activity log costs (ActivityLogSettings.offFor).
  final boolean logsActivity;

  HostedVolume(
      RealVolumeAddress address,
      RealVolume file,
      CachedVolume cache,
      ActivityLog activity,
      boolean logsActivity) {
    this.address = address;
    this.file = file;
    this.cache = cache;
    this.activity = activity;
    this.logsActivity = logsActivity;
  }

  String id() {
    return address.volumeId();
  }
}
