package org.roamstore.directory.switching;

import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;

/**
 * The "synchronize cache" step of Fig. 9 (904-905, 912): before an ASYNC copy group changes
 * primary, the old primary ships every write it has acknowledged but not yet sent, and the switch
 * waits for that, at the new primary above all. Called only while the old primary is reachable; a
 * failure stops the switch before anything changed.
 */
public interface AsyncWriteDrain {

  void drain(StorageConnection oldPrimary, CopyVolumeGroupInfo group, String newPrimary);
}
