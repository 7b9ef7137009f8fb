package org.roamstore.storage.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;

/** The read request execution (reference text, 132): only the primary at the current epoch. */
final class ReadRequestExecution {
  private ReadRequestExecution() {}

  static void read(HostedVolume volume, long epoch, long offset, ByteBuffer dst) {
    Lock lock = volume.groupLock.readLock();
    lock.lock();
    try {
      volume.checkServes(epoch);
      volume.cache.read(offset, dst);
    } finally {
      lock.unlock();
    }
  }
}
