package org.roamstore.storage.api;

/** How write data reaches the secondaries of a copy volume group (reference text, Fig. 3). */
public enum TransferType {
  /** A write completes only after every secondary has stored it. */
  SYNC,
  /** A write completes in the primary's cache; the send process ships it later, in order. */
  ASYNC
}
