package org.roamstore.runtime.config;

/**
 * A configuration the deployment cannot start with; the message names the option, or the file, line
 * and field, and is meant for the operator as it stands.
 */
public class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
