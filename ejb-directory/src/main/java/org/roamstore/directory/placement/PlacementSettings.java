package org.roamstore.directory.placement;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * A volume's placement policy as an admin sets it ({@code PUT
 * /api/admin/volumes/{name}/placement}).
 *
 * @param mode {@code off}, {@code dry-run} (announce decisions only) or {@code on}
 * @param maxCopies at most this many copies; needed unless off
 * @param addAfterLogins add a copy where this many logins in a row were nearest; needed unless off
 * @param addAfterStayMinutes or where every login for this many minutes was; optional
 */
public record PlacementSettings(
    @NotNull @Pattern(regexp = "off|dry-run|on", message = "must be off, dry-run or on")
        String mode,
    @Min(1) @Max(16) Integer maxCopies,
    @Min(1) @Max(MAX_LOGINS) Integer addAfterLogins,
    @Min(1) @Max(43_200) Integer addAfterStayMinutes) {

  /** The most logins the policy counts, and so keeps per volume. */
  public static final int MAX_LOGINS = 100;

  @AssertTrue(message = "maxCopies and addAfterLogins are needed unless mode is off")
  public boolean isComplete() {
    return "off".equals(mode) || (maxCopies != null && addAfterLogins != null);
  }
}
