package org.roamstore.directory.failure;

/** Stable codes of every refusal; clients match on these, never on the message. */
public enum ErrorCode {
  VALIDATION_FAILED(Kind.BAD_INPUT),
  AUTHENTICATION_FAILED(Kind.UNAUTHENTICATED),
  UNKNOWN_USER(Kind.NOT_FOUND),
  USER_EXISTS(Kind.CONFLICT),
  UNKNOWN_VOLUME(Kind.NOT_FOUND),
  NOT_YOUR_VOLUME(Kind.FORBIDDEN),
  VOLUME_EXISTS(Kind.CONFLICT),
  UNKNOWN_DATA_CENTER(Kind.NOT_FOUND),
  UNKNOWN_NETWORK_INTERFACE(Kind.BAD_INPUT),
  /** A data center with that name or storage system exists already. */
  DATA_CENTER_EXISTS(Kind.CONFLICT),
  /** The data center holds copies or serves a login: it cannot be removed. */
  DATA_CENTER_IN_USE(Kind.CONFLICT),
  /** A network interface with that name exists, or its address ranges overlap another's. */
  NETWORK_INTERFACE_CONFLICT(Kind.CONFLICT),
  /** Every site holding a copy of the volume is down. */
  NO_SITE_AVAILABLE(Kind.UNAVAILABLE),
  /** A site that must take part is marked down or does not answer. */
  SITE_UNAVAILABLE(Kind.UNAVAILABLE),
  /** The current primary cannot be reached; a forced takeover may be asked for. */
  OLD_PRIMARY_UNREACHABLE(Kind.UNAVAILABLE),
  /** The copy volume group definition failed at a member; everything made was undone. */
  SWITCH_FAILED(Kind.STORAGE_FAILED),
  /** Creating a volume failed at a site; everything made was removed. */
  PROVISIONING_FAILED(Kind.STORAGE_FAILED),
  /** The volume already has a copy at that data center. */
  COPY_EXISTS(Kind.CONFLICT),
  /** The volume has no copy at that data center to drop. */
  NO_COPY_THERE(Kind.NOT_FOUND),
  /** The copy to drop is the primary; a login elsewhere moves the primary first. */
  COPY_IS_PRIMARY(Kind.CONFLICT),
  /** The copy to drop is the volume's only one; delete the volume instead. */
  LAST_COPY(Kind.CONFLICT),
  /** Another login or change holds the volume; try again. */
  VOLUME_BUSY(Kind.CONFLICT),
  /** Directory and storage disagree in a way the directory cannot repair by itself. */
  STORAGE_INCONSISTENT(Kind.STORAGE_FAILED),
  /** A bearer token the directory never issued (or whose volume is gone). */
  TOKEN_INVALID(Kind.UNAUTHENTICATED),
  /** A bearer token that was revoked: a logout, or another login took the volume over. */
  TOKEN_REVOKED(Kind.UNAUTHENTICATED),
  /** A bearer token past its lifetime; log in again. */
  TOKEN_EXPIRED(Kind.UNAUTHENTICATED),
  /** The access was granted at an epoch the copy group has left; log in again. */
  STALE_EPOCH(Kind.CONFLICT),
  /** A forced takeover would promote a copy less current than another surviving one. */
  STALE_COPY(Kind.CONFLICT),
  /**
   * Storage refused an online verify: a secondary named is out of sync or resyncing (it needs a
   * resync, not a verify), none is in sync, or the volume has no other copy to compare with.
   */
  VERIFY_REFUSED(Kind.CONFLICT),
  /** An online verify of the volume is still running; wait for its VERIFY_FINISHED. */
  VERIFY_RUNNING(Kind.CONFLICT),
  /** A byte range that is empty or reaches past the end of the volume. */
  RANGE_NOT_SATISFIABLE(Kind.RANGE),
  /** Too many failed sign-ins for this user; wait (details.retryAfterSeconds) and try again. */
  TOO_MANY_ATTEMPTS(Kind.THROTTLED);

  /** What kind of refusal it is; the REST layer maps kinds to HTTP statuses. */
  public enum Kind {
    BAD_INPUT,
    UNAUTHENTICATED,
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    UNAVAILABLE,
    STORAGE_FAILED,
    RANGE,
    THROTTLED
  }

  private final Kind kind;

  ErrorCode(Kind kind) {
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
