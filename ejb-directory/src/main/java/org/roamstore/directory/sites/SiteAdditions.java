package org.roamstore.directory.sites;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.Cidr;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.NetworkInterface;

/**
 * The rules for adding data centers and network interfaces to a directory that has some: one data
 * center per name and per storage system, one interface per name, and no address in two interfaces'
 * ranges. The login takes the first interface (by name) whose ranges cover a client's address, so
 * an overlapping range would silently move some users to another interface, and their logins to
 * another data center; it is refused instead.
 */
public final class SiteAdditions {
  private SiteAdditions() {}

  /** Why {@code site} cannot join {@code sites}; empty when it can. */
  public static Optional<DirectoryException> refusal(DataCenter site, List<DataCenter> sites) {
    for (DataCenter known : sites) {
      if (known.name().equals(site.name())) {
        return Optional.of(
            conflict(
                ErrorCode.DATA_CENTER_EXISTS,
                "a data center named '" + site.name() + "' exists already",
                "name"));
      }
      if (known.storageSystem().equals(site.storageSystem())) {
        return Optional.of(
            conflict(
                ErrorCode.DATA_CENTER_EXISTS,
                "storage system '"
                    + site.storageSystem()
                    + "' belongs to data center '"
                    + known.name()
                    + "' already",
                "storageSystem"));
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code added} cannot join {@code known} (nor each other); empty when they can. Ranges are
   * compared with every range of every other interface, new and known.
   */
  public static Optional<DirectoryException> refusal(
      List<NetworkInterface> added, List<NetworkInterface> known) {
    List<NetworkInterface> all = new ArrayList<>(known);
    for (NetworkInterface candidate : added) {
      for (NetworkInterface other : all) {
        if (other.name().equals(candidate.name())) {
          return Optional.of(
              conflict(
                  ErrorCode.NETWORK_INTERFACE_CONFLICT,
                  "a network interface named '" + candidate.name() + "' exists already",
                  "networkInterfaces"));
        }
        for (String range : candidate.cidrs()) {
          for (String otherRange : other.cidrs()) {
            if (Cidr.parse(range).overlaps(Cidr.parse(otherRange))) {
              return Optional.of(
                  conflict(
                      ErrorCode.NETWORK_INTERFACE_CONFLICT,
                      "network interface '"
                          + candidate.name()
                          + "': "
                          + range
                          + " overlaps "
                          + otherRange
                          + " of '"
                          + other.name()
                          + "'",
                      "networkInterfaces"));
            }
          }
        }
      }
      all.add(candidate);
    }
    return Optional.empty();
  }

  /** How the file's data center differs from the directory's of the same name, for the log. */
  public static List<String> differences(DataCenter file, DataCenter directory) {
    List<String> differences = new ArrayList<>();
    differ(differences, "displayName", file.displayName(), directory.displayName());
    differ(differences, "hostServer", file.hostServerAddress(), directory.hostServerAddress());
    differ(differences, "storageSystem", file.storageSystem(), directory.storageSystem());
    differ(differences, "latitude", file.position().latitude(), directory.position().latitude());
    differ(differences, "longitude", file.position().longitude(), directory.position().longitude());
    return differences;
  }

  /** How the file's interface differs from the directory's of the same name, for the log. */
  public static List<String> differences(NetworkInterface file, NetworkInterface directory) {
    List<String> differences = new ArrayList<>();
    differ(differences, "displayName", file.displayName(), directory.displayName());
    differ(differences, "latitude", file.position().latitude(), directory.position().latitude());
    differ(differences, "longitude", file.position().longitude(), directory.position().longitude());
    differ(differences, "cidrs", file.cidrs(), directory.cidrs());
    return differences;
  }

  private static void differ(List<String> into, String field, Object file, Object directory) {
    if (!Objects.equals(file, directory)) {
      into.add(field + ": file " + file + ", directory " + directory);
    }
  }

  private static DirectoryException conflict(ErrorCode code, String message, String field) {
    return new DirectoryException(code, message, Map.of("field", field));
  }
}
