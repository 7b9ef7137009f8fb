package org.roamstore.directory.copygroup;

import jakarta.enterprise.context.ApplicationScoped;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;

/**
 * The drain while remote copy does not exist: storage control units queue nothing for their
 * secondaries yet, so there is nothing to wait for. The remote copy issue replaces this with a
 * synchronize-cache request to the old primary (a storage connection call the API does not have
 * yet).
 */
@ApplicationScoped
public class NothingToDrain implements AsyncWriteDrain {

  @Override
  public void drain(StorageConnection oldPrimary, CopyVolumeGroupInfo group) {
    // nothing is ever queued
  }
}
