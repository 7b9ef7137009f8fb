package org.roamstore.storage.replication.send;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.batch.RegionDigest;

/**
 * The online verify of one copy group at its primary: which secondaries a request verifies, and the
 * send process's steps that read regions at the primary and ask the secondaries for theirs at the
 * same point of the stream. Each secondary's verify (its rate, the digests, the result) is its
 * {@link SecondaryLink}'s. Shares the {@link GroupStream}'s lock and its secondaries.
 */
final class PrimaryVerify {
  private final String groupId;
  private final ReentrantLock lock;
  private final Map<String, SecondaryLink> links;
  private final Runnable wakeSender;
  // The send process's buffer for the regions a verify reads at the primary.
  private ByteBuffer buffer = ByteBuffer.allocate(0);

  PrimaryVerify(
      String groupId, ReentrantLock lock, Map<String, SecondaryLink> links, Runnable wakeSender) {
    this.groupId = groupId;
    this.lock = lock;
    this.links = links;
    this.wakeSender = wakeSender;
  }

  /**
   * Starts a verify of the named secondaries (every one taking the stream if none is named) of a
   * volume of {@code volumeBytes}; one already running goes on. Refuses, changing nothing, a name
   * that is no secondary or one that is out of sync or resyncing: what it lacks is known already.
   */
  void start(VerifyRequest request, long volumeBytes, long defaultBytesPerSecond) {
    lock.lock();
    try {
      for (String s : request.secondaries()) {
        SecondaryLink link = links.get(s);
        if (link == null) {
          throw new StorageException(
              Reason.INVALID_ARGUMENT,
              s + " is not a secondary of copy group " + groupId + " " + links.keySet());
        }
        link.verify().checkVerifiable();
      }
      List<SecondaryLink> chosen = new ArrayList<>();
      for (SecondaryLink link : links.values()) {
        boolean named = request.secondaries().contains(link.storageSystem);
        if (named || (request.secondaries().isEmpty() && link.state() == State.IN_SYNC)) {
          chosen.add(link);
        }
      }
      if (chosen.isEmpty()) {
        throw new StorageException(
            Reason.INVALID_ARGUMENT,
            "copy group " + groupId + " has no secondary in sync to verify " + states());
      }
      long rate =
          request.rateMiBPerSecond() > 0
              ? (long) request.rateMiBPerSecond() << 20
              : defaultBytesPerSecond;
      for (SecondaryLink link : chosen) {
        link.verify().start(volumeBytes, rate, request.repair());
      }
    } finally {
      lock.unlock();
    }
    wakeSender.run();
  }

  /** The most regions one round of the send process reads for verifies (then it ships again). */
  private static final int VERIFY_REGIONS_PER_STEP = 8;

  /**
   * Asks the next regions of the running verifies, as far as their rates allow; called by the send
   * process between its rounds, without the lock. Each region is read at the primary with no write
   * between its cache and the stream ({@link ReplicaVolume#atStreamPoint}) and its verify entry
   * goes into the stream at that point, so both copies hash the region after the same writes; the
   * hashing happens after, with nothing held.
   */
  void step(ReplicaVolume volume) {
    if (volume == null) {
      return;
    }
    for (int i = 0; i < VERIFY_REGIONS_PER_STEP; i++) {
      List<Asking> asking = new ArrayList<>(1);
      int region = nextVerifyRegion(asking);
      if (region < 0) {
        return;
      }
      // Computed from the verify taken under the lock: it may be interrupted meanwhile.
      long offset = asking.get(0).verification().offsetOf(region);
      int length = asking.get(0).verification().lengthOf(region);
      if (buffer.capacity() < length) {
        buffer = ByteBuffer.allocate(length);
      }
      ByteBuffer data = buffer.clear().limit(length);
      boolean read =
          volume.atStreamPoint(
              () -> {
                volume.readStored(offset, data);
                askVerify(asking, region, offset, length);
              });
      if (!read) {
        return; // busy (again next round), or no longer the primary (the new group interrupts it)
      }
      data.flip();
      byte[] digest = RegionDigest.of(data);
      lock.lock();
      try {
        for (Asking a : asking) {
          if (a.stillRuns()) {
            a.link().verify().primaryDigest(offset, digest);
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * A secondary asking a region, with the verify that asks it: a verify interrupted and another
   * started meanwhile must not be credited with a region it did not ask.
   */
  private record Asking(SecondaryLink link, Verification verification) {
    boolean stillRuns() {
      return link.verify().running() == verification;
    }
  }

  /** The lowest region a running verify may ask now, and the secondaries that ask it. */
  private int nextVerifyRegion(List<Asking> asking) {
    lock.lock();
    try {
      long now = System.nanoTime();
      int lowest = -1;
      for (SecondaryLink link : links.values()) {
        Verification v = link.verify().running();
        int r = v == null ? -1 : v.next(now);
        if (r >= 0 && (lowest < 0 || r < lowest)) {
          lowest = r;
          asking.clear();
        }
        if (r >= 0 && r == lowest) {
          asking.add(new Asking(link, v));
        }
      }
      return lowest;
    } finally {
      lock.unlock();
    }
  }

  /** Puts a verify entry into each asking secondary's stream; with the volume at a stream point. */
  private void askVerify(List<Asking> asking, int region, long offset, int length) {
    lock.lock();
    try {
      asking.removeIf(a -> !a.stillRuns());
      for (Asking a : asking) {
        a.link().verify().ask(a.verification(), region, offset, length);
      }
    } finally {
      lock.unlock();
    }
    wakeSender.run();
  }

  /** Each secondary's state, for a refusal. */
  private Map<String, State> states() {
    Map<String, State> states = new LinkedHashMap<>();
    links.forEach((name, link) -> states.put(name, link.state()));
    return states;
  }
}
