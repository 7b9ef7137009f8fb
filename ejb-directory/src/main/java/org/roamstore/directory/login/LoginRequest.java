package org.roamstore.directory.login;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.roamstore.directory.failure.Clipped;

/**
 * Step 800 of Fig. 8: who logs in, to which virtual volume, through which network interface. When
 * the network interface is not named, the client's address picks it (the interface whose ranges
 * cover it). {@code force} allows a takeover without an unreachable primary; {@code forceAt} names
 * the data center the caller takes over at even if another surviving copy is more current (it must
 * be the one the login picks).
 */
public record LoginRequest(
    @NotBlank @Size(max = 64) String user,
    @NotBlank @Size(max = 200) String password,
    @NotBlank @Size(max = 128) String volume,
    @Size(max = 128) String networkInterface,
    @Size(max = 64) String clientAddress,
    Boolean force,
    @Size(max = 64) String forceAt) {
  // One constructor only: JSON-B (the request queue) cannot choose among several for a record.

  public boolean forced() {
    return Boolean.TRUE.equals(force);
  }

  /**
   * The same request from the address its transport saw (null where it has none): a client's own
   * claim of its address is never taken.
   */
  public LoginRequest fromAddress(String seenAddress) {
    return new LoginRequest(user, password, volume, networkInterface, seenAddress, force, forceAt);
  }

  /** Never the password; the rest clipped, as it is what a client sent (logs quote it). */
  @Override
  public String toString() {
    return "LoginRequest[user="
        + Clipped.text(user)
        + ", volume="
        + Clipped.text(volume)
        + ", via="
        + Clipped.text(networkInterface)
        + "]";
  }
}
