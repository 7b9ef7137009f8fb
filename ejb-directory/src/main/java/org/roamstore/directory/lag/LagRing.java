package org.roamstore.directory.lag;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The last {@code capacity} samples of one series, oldest first; a new sample overwrites the oldest
 * once the ring is full, so its memory never grows.
 */
public final class LagRing {
  private final LagSample[] samples;
  private int next;
  private int size;

  public LagRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a ring holds at least one sample: " + capacity);
    }
    samples = new LagSample[capacity];
  }

  public synchronized void add(LagSample sample) {
    samples[next] = sample;
    next = (next + 1) % samples.length;
    size = Math.min(size + 1, samples.length);
  }

  /** Oldest first. */
  public synchronized List<LagSample> samples() {
    List<LagSample> out = new ArrayList<>(size);
    int first = (next - size + samples.length) % samples.length;
    for (int i = 0; i < size; i++) {
      out.add(samples[(first + i) % samples.length]);
    }
    return out;
  }

  public synchronized Optional<LagSample> latest() {
    return size == 0
        ? Optional.empty()
        : Optional.of(samples[(next - 1 + samples.length) % samples.length]);
  }

  public int capacity() {
    return samples.length;
  }
}
