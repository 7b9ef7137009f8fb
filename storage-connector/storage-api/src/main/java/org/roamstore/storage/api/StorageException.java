package org.roamstore.storage.api;

/**
 * Every refusal of a storage control unit, with a reason a caller can act on. Refused requests
 * change nothing.
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a request was refused; stable, so callers and the REST API can map it. */
  public enum Reason {
    INVALID_ARGUMENT,
    UNKNOWN_VOLUME,
    VOLUME_EXISTS,
    OUT_OF_RANGE,
    NOT_PRIMARY,
    STALE_EPOCH,
    NO_COPY_GROUP,
    UNKNOWN_EXPORT,
    IO_ERROR,
    CLOSED,
    /** A wait (remote copy of a SYNC write, a cache synchronization) ran out of time. */
    TIMEOUT,
    /**
     * The storage system did not answer a control request in time: it is down, or its site (or the
     * broker between) is cut off. Nothing is known about whether the request was carried out.
     */
    UNREACHABLE,
    /**
     * The control unit does not offer this operation (for example, it runs without remote copy).
     */
    UNSUPPORTED
  }

  private final Reason reason;

  public StorageException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public StorageException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
