package org.roamstore.storage.replication.batch;

/**
 * Which stream of write data a batch belongs to. A primary numbers the writes it sends to one
 * secondary from 1 within a stream; a new stream starts when the epoch changes or the primary's
 * control unit restarts (its incarnation, counted up at every start). Streams are ordered: a
 * secondary never goes back to an older one.
 */
public record StreamKey(long epoch, long incarnation) implements Comparable<StreamKey> {

  @Override
  public int compareTo(StreamKey other) {
    int byEpoch = Long.compare(epoch, other.epoch);
    return byEpoch != 0 ? byEpoch : Long.compare(incarnation, other.incarnation);
  }

  public boolean isOlderThan(StreamKey other) {
    return compareTo(other) < 0;
  }

  @Override
  public String toString() {
    return "epoch " + epoch + "/incarnation " + incarnation;
  }
}
