package org.roamstore.storage.api;

import java.util.Locale;

/**
 * Whether a storage control unit's NBD server speaks TLS ({@code NBD_OPT_STARTTLS}), in the terms
 * of the NBD protocol's TLS modes.
 */
public enum NbdTlsMode {
  /** No TLS (the protocol's NOTLS): STARTTLS is refused with {@code NBD_REP_ERR_POLICY}. */
  OFF,
  /** TLS for clients that ask for it, plain NBD for those that do not. */
  OPTIONAL,
  /**
   * TLS for everyone (the protocol's FORCEDTLS): before STARTTLS, every option but STARTTLS and
   * ABORT is refused with {@code NBD_REP_ERR_TLS_REQD}.
   */
  REQUIRED;

  /** {@code off}, {@code optional} or {@code required}, in any case; null for anything else. */
  public static NbdTlsMode parse(String text) {
    if (text == null) {
      return null;
    }
    for (NbdTlsMode mode : values()) {
      if (mode.name().equalsIgnoreCase(text.strip())) {
        return mode;
      }
    }
    return null;
  }

  /** As written in configuration: {@code off}, {@code optional}, {@code required}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a client can have TLS at all. */
  public boolean offered() {
    return this != OFF;
  }
}
