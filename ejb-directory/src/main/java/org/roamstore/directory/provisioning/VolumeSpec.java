package org.roamstore.directory.provisioning;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.model.TakeoverPolicy;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;

/**
 * A virtual volume to create.
 *
 * @param sites data centers that hold a copy; the first is the primary unless {@code primary} names
 *     another of them
 * @param transferType SYNC unless given
 * @param takeoverPolicy TAKE_OVER unless given
 * @param minimumStaySeconds {@value #DEFAULT_MINIMUM_STAY_SECONDS} unless given
 * @param syncFailurePolicy what a SYNC primary does when a secondary does not answer in time:
 *     MARK_OUT_OF_SYNC (keep accepting writes, resync it later) unless given, or FAIL_WRITES
 */
public record VolumeSpec(
    @NotNull
        @Pattern(
            regexp = NAME,
            message =
                "must be 1-64 characters: a letter or digit, then"
                    + " letters, digits, '.', '_' or '-'")
        String name,
    @NotNull @Size(min = 1, max = 64) String owner,
    @NotNull @Positive @Max(MAX_SIZE_BYTES) Long sizeBytes,
    TransferType transferType,
    @NotEmpty @Size(max = 16) List<@NotNull @Size(min = 1, max = 64) String> sites,
    @Size(max = 64) String primary,
    TakeoverPolicy takeoverPolicy,
    @PositiveOrZero @Max(86_400) Long minimumStaySeconds,
    SyncFailurePolicy syncFailurePolicy) {

  public static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
  public static final long MAX_SIZE_BYTES = 1L << 40;
  public static final long DEFAULT_MINIMUM_STAY_SECONDS = 30;

  /** NBD clients work in 512-byte sectors and caches in 4 KiB pages. */
  /** Clipped: it is what a client sent, and logs quote it. */
  @Override
  public String toString() {
    return "VolumeSpec[name="
        + Clipped.text(name)
        + ", owner="
        + Clipped.text(owner)
        + ", sizeBytes="
        + sizeBytes
        + ", sites="
        + Clipped.text(sites)
        + ", primary="
        + Clipped.text(primary)
        + ", transferType="
        + transferType
        + "]";
  }

  @AssertTrue(message = "sizeBytes must be a multiple of 4096")
  public boolean isSizeAligned() {
    return sizeBytes == null || sizeBytes % 4096 == 0;
  }

  @AssertTrue(message = "sites must not repeat a data center")
  public boolean isSitesDistinct() {
    return sites == null || sites.stream().distinct().count() == sites.size();
  }

  @AssertTrue(message = "primary must be one of the sites")
  public boolean isPrimaryOneOfTheSites() {
    return primary == null || (sites != null && sites.contains(primary));
  }

  public TransferType transferTypeOrDefault() {
    return transferType == null ? TransferType.SYNC : transferType;
  }

  public TakeoverPolicy takeoverPolicyOrDefault() {
    return takeoverPolicy == null ? TakeoverPolicy.TAKE_OVER : takeoverPolicy;
  }

  public SyncFailurePolicy syncFailurePolicyOrDefault() {
    return syncFailurePolicy == null ? SyncFailurePolicy.MARK_OUT_OF_SYNC : syncFailurePolicy;
  }

  public Duration minimumStay() {
    return Duration.ofSeconds(
        minimumStaySeconds == null ? DEFAULT_MINIMUM_STAY_SECONDS : minimumStaySeconds);
  }

  /** The sites with the primary first. */
  public List<String> sitesPrimaryFirst() {
    if (primary == null) {
      return List.copyOf(sites);
    }
    List<String> ordered = new java.util.ArrayList<>();
    ordered.add(primary);
    sites.stream().filter(s -> !s.equals(primary)).forEach(ordered::add);
    return ordered;
  }
}
