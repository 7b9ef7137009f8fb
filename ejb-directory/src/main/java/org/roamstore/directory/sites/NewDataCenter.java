package org.roamstore.directory.sites;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.model.Cidr;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.Position;

/**
 * A data center to add at run time, with the network interfaces that attach users near it; the same
 * fields as a topology file's {@code dataCenters} entry ({@code hostServer} is the host server's
 * address) plus {@code networkInterfaces} in that file's form. An interface without a position is
 * placed at the data center.
 */
public record NewDataCenter(
    @NotNull @Pattern(regexp = NAME, message = NAME_MESSAGE) String name,
    @NotNull @Size(min = 1, max = 128) String displayName,
    @NotNull @DecimalMin("-90") @DecimalMax("90") Double latitude,
    @NotNull @DecimalMin("-180") @DecimalMax("180") Double longitude,
    @NotNull
        @Pattern(
            regexp = "[A-Za-z0-9][A-Za-z0-9.:_-]{0,252}",
            message = "must be a host name or address")
        String hostServer,
    @NotNull @Pattern(regexp = NAME, message = NAME_MESSAGE) String storageSystem,
    @Size(max = 16) List<@NotNull @Valid Interface> networkInterfaces) {

  /** A storage system's name is a file and queue name too (storage-api's Names). */
  public static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

  static final String NAME_MESSAGE =
      "must be 1-64 characters: a letter or digit, then letters, digits, '.', '_' or '-'";

  /** A network interface of the new data center. */
  public record Interface(
      @NotNull @Pattern(regexp = NAME, message = NAME_MESSAGE) String name,
      @NotNull @Size(min = 1, max = 128) String displayName,
      @DecimalMin("-90") @DecimalMax("90") Double latitude,
      @DecimalMin("-180") @DecimalMax("180") Double longitude,
      @NotEmpty @Size(max = 32) List<@NotNull @Size(min = 3, max = 64) String> cidrs) {

    @AssertTrue(message = "cidrs must each be a literal address/prefix, e.g. 10.40.0.0/16")
    public boolean isCidrsValid() {
      if (cidrs == null) {
        return true;
      }
      try {
        cidrs.forEach(Cidr::parse);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    @AssertTrue(message = "latitude and longitude come together or not at all")
    public boolean isPositionWhole() {
      return (latitude == null) == (longitude == null);
    }
  }

  public List<Interface> interfacesOrNone() {
    return networkInterfaces == null ? List.of() : networkInterfaces;
  }

  @AssertTrue(message = "networkInterfaces must not repeat a name")
  public boolean isInterfaceNamesDistinct() {
    List<Interface> all = interfacesOrNone();
    return all.stream().filter(i -> i != null).map(Interface::name).distinct().count()
        == all.stream().filter(i -> i != null).count();
  }

  public DataCenter dataCenter() {
    return new DataCenter(
        name, displayName, new Position(latitude, longitude), hostServer, storageSystem);
  }

  public List<NetworkInterface> interfaces() {
    return interfacesOrNone().stream()
        .map(
            i ->
                new NetworkInterface(
                    i.name(),
                    i.displayName(),
                    i.latitude() == null
                        ? new Position(latitude, longitude)
                        : new Position(i.latitude(), i.longitude()),
                    i.cidrs()))
        .toList();
  }

  /** Clipped: it is what a client sent, and logs quote it. */
  @Override
  public String toString() {
    return "NewDataCenter[name="
        + Clipped.text(name)
        + ", storageSystem="
        + Clipped.text(storageSystem)
        + ", hostServer="
        + Clipped.text(hostServer)
        + "]";
  }
}
