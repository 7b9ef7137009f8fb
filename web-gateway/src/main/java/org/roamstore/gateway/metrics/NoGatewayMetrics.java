package org.roamstore.gateway.metrics;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.logging.Logger;
import org.roamstore.directory.login.LoginResult;

/**
 * The gateway's metrics on a server without MicroProfile Metrics (GlassFish 7): nothing is recorded
 * and there is no {@code /metrics}. The default bean, which {@link MicroProfileGatewayMetrics}
 * replaces wherever it can load.
 */
@ApplicationScoped
public class NoGatewayMetrics implements GatewayMetrics {
  private static final Logger LOG = Logger.getLogger(NoGatewayMetrics.class.getName());

  /** Said once, so that an operator who looks for the metrics learns why there are none. */
  @PostConstruct
  void start() {
    LOG.info("the server has no MicroProfile Metrics: the gateway records no metrics");
  }

  @Override
  public void loggedIn(LoginResult result, Duration took) {}

  @Override
  public void read(long bytes) {}

  @Override
  public void written(long bytes) {}
}
