package org.roamstore.directory.failure;

import jakarta.ejb.ApplicationException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A refusal of the directory, with a stable {@link ErrorCode}, a message for people, and details
 * for programs (which site failed, what was undone). The directory transaction rolls back.
 */
@ApplicationException(rollback = true)
public class DirectoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final TreeMap<String, String> details;

  public DirectoryException(ErrorCode code, String message) {
    this(code, message, Map.of());
  }

  public DirectoryException(ErrorCode code, String message, Map<String, String> details) {
    super(message);
    this.code = code;
    this.details = new TreeMap<>(details);
  }

  public ErrorCode code() {
    return code;
  }

  public Map<String, String> details() {
    return java.util.Collections.unmodifiableMap(details);
  }
}
