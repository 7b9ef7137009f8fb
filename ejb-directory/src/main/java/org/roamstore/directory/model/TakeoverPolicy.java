package org.roamstore.directory.model;

/**
 * What a login does when the volume is in active use through another site (unexpired, unrevoked
 * access grants elsewhere). Set per virtual volume.
 */
public enum TakeoverPolicy {
  /** The new login moves the primary and revokes the other site's grants (the default). */
  TAKE_OVER,
  /** The primary stays; the login is granted access at the remote primary instead. */
  STAY
}
