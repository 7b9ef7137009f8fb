package org.roamstore.directory.copygroup;

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
}
