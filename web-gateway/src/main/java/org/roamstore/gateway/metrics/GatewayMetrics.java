package org.roamstore.gateway.metrics;

import java.time.Duration;
import org.roamstore.directory.login.LoginResult;

/**
 * What the gateway reports as it serves: logins and the REST block API's reads and writes. {@link
 * MicroProfileGatewayMetrics} records them where the server has MicroProfile Metrics, {@link
 * NoGatewayMetrics} drops them where it has not.
 */
public interface GatewayMetrics {
  void loggedIn(LoginResult result, Duration took);

  void read(long bytes);

  void written(long bytes);
}
