package org.roamstore.storage.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;

/** The read request execution (reference text, 132): only the primary at the current epoch. */
final class ReadRequestExecution {
  private ReadRequestExecution() {}

  static void read(CopyGroupReplica replica, long epoch, long offset, ByteBuffer dst) {
    Lock lock = replica.groupLock.readLock();
    lock.lock();
    try {
      replica.checkServes(epoch);
      replica.volume.cache.read(offset, dst);
    } finally {
      lock.unlock();
    }
  }
}
