package org.roamstore.directory.login;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.roamstore.directory.failure.Clipped;

/**
 * A login of the already authenticated caller (see {@link LoginService#loginAsCaller}): which
 * volume, through which network interface or, without one, from which client address.
 */
public record CallerLoginRequest(
    @NotBlank @Size(max = 128) String volume,
    @Size(max = 128) String networkInterface,
    @Size(max = 64) String clientAddress,
    Boolean force) {

  /** Clipped: it is what a client sent, and logs quote it. */
  @Override
  public String toString() {
    return "CallerLoginRequest[volume="
        + Clipped.text(volume)
        + ", via="
        + Clipped.text(networkInterface)
        + ", from="
        + Clipped.text(clientAddress)
        + ", force="
        + force
        + "]";
  }
}
