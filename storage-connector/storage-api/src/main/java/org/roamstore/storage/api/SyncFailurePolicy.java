package org.roamstore.storage.api;

/**
 * What the primary of a {@link TransferType#SYNC SYNC} copy group does when a secondary does not
 * acknowledge a write within the control unit's sync timeout.
 */
public enum SyncFailurePolicy {
  /**
   * The secondary is marked out of sync and writes go on completing without it; the regions written
   * meanwhile are tracked and copied to it when it answers again (resync). Availability first.
   */
  MARK_OUT_OF_SYNC,
  /**
   * The write fails (the data stays in the primary's cache) and so does every later write until the
   * secondary answers again. Every acknowledged write stays at every member.
   */
  FAIL_WRITES
}
