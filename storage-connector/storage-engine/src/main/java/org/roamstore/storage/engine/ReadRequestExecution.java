package org.roamstore.storage.engine;

import java.nio.ByteBuffer;

/** The read request execution (reference text, 132): only the primary at the current epoch. */
final class ReadRequestExecution {
  private ReadRequestExecution() {}

  static void read(CopyGroupReplica replica, long epoch, long offset, ByteBuffer dst) {
    replica.whileServing(
        epoch,
        group -> {
          replica.volume.cache.read(offset, dst);
          return null;
        });
  }
}
