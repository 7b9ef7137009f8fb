package org.roamstore.directory.copygroup;

import org.roamstore.storage.api.StorageException;

/** A storage control unit could not be reached at all (as opposed to refusing a request). */
public class SiteUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String storageSystem;

  public SiteUnreachableException(String storageSystem, String message, Throwable cause) {
    super(message, cause);
    this.storageSystem = storageSystem;
  }

  public String storageSystem() {
    return storageSystem;
  }

  /**
   * Whether a failure reported by a storage connection means its control unit could not be reached
   * (the connection broke or was closed, or the unit does not answer) rather than that it refused.
   */
  public static boolean isUnreachable(StorageException e) {
    return e.reason() == StorageException.Reason.IO_ERROR
        || e.reason() == StorageException.Reason.CLOSED
        || e.reason() == StorageException.Reason.UNREACHABLE;
  }
}
