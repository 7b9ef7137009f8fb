package org.roamstore.storage.replication;

import java.util.BitSet;

/**
 * What remote copy of a group knows may be missing at some secondary, at its primary: regions of
 * {@code regionBytes}, or the whole volume when it cannot say where ({@code anywhere}). Writes on
 * their way to a secondary that is in sync are not in it: the activity log holds their regions hot
 * until every such secondary has them on disk.
 *
 * @param regionBytes the size of a region of {@code regions}
 * @param regions the regions that may be missing somewhere (a copy, the caller's to keep)
 * @param anywhere true when any region may be missing: nothing locates what is
 */
public record PendingRegions(int regionBytes, BitSet regions, boolean anywhere) {
  /** Nothing missing: a group without secondaries. */
  public static final PendingRegions NONE = new PendingRegions(1 << 20, new BitSet(), false);

  /** Anything may be missing: the secondaries are not updated here, or not located. */
  public static final PendingRegions ANYWHERE = new PendingRegions(1 << 20, new BitSet(), true);
}
