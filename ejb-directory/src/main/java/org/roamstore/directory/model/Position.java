package org.roamstore.directory.model;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** A place on Earth; the login picks the data center nearest to the user's network interface. */
@Embeddable
public class Position {
  private static final double EARTH_RADIUS_KM = 6371.0;

  @Column(nullable = false)
  private double latitude;

  @Column(nullable = false)
  private double longitude;

  protected Position() {}

  public Position(double latitude, double longitude) {
    if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) {
      throw new IllegalArgumentException("not a position on Earth: " + latitude + ", " + longitude);
    }
    this.latitude = latitude;
    this.longitude = longitude;
  }

  public double latitude() {
    return latitude;
  }

  public double longitude() {
    return longitude;
  }

  /** Great-circle distance (haversine): good enough to rank sites across a region. */
  public double kilometersTo(Position other) {
    double dLat = Math.toRadians(other.latitude - latitude);
    double dLon = Math.toRadians(other.longitude - longitude);
    double a =
        Math.sin(dLat / 2) * Math.sin(dLat / 2)
            + Math.cos(Math.toRadians(latitude))
                * Math.cos(Math.toRadians(other.latitude))
                * Math.sin(dLon / 2)
                * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(a));
  }
}
