package org.roamstore.directory.events;

/** The {@code type} of a directory event (also the JMS string property {@code type}). */
public enum EventType {
  LOGIN,
  PRIMARY_SWITCHED,
  FORCED_TAKEOVER,
  VOLUME_CREATED,
  VOLUME_DELETED,
  COPY_ADDED,
  COPY_IN_SYNC,
  COPY_DROPPED,
  COPY_MOVED,
  DATA_CENTER_ADDED,
  DATA_CENTER_REMOVED,
  DATA_CENTER_DOWN,
  DATA_CENTER_UP,
  VERIFY_STARTED,
  VERIFY_FINISHED,
  /** An admin set a volume's placement policy. */
  PLACEMENT_SET,
  /** The placement policy adds a copy (mode on) or would (dry-run). */
  PLACEMENT_ADD,
  /** The placement policy drops a copy (mode on) or would (dry-run). */
  PLACEMENT_DROP,
  /** A placement decision of mode on could not be carried out. */
  PLACEMENT_FAILED
}
