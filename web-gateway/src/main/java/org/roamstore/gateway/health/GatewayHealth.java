package org.roamstore.gateway.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.messaging.DirectoryQueues;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.topology.DirectoryStartup;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageStatus;

/**
 * The gateway's health checks. Liveness only says the application runs (a restart would not help a
 * broker that is away); readiness says whether it can serve logins now.
 */
@ApplicationScoped
public class GatewayHealth {

  @Inject private DirectoryStartup directory;
  @Inject private StorageSites sites;

  @Produces
  @Liveness
  HealthCheck application() {
    return () -> HealthCheckResponse.up("roamstore-gateway");
  }

  /**
   * Without the broker, other systems cannot reach the directory's queue and events wait in the
   * directory's outbox: the gateway still logs people in, but it is not fully serving.
   */
  @Produces
  @Readiness
  HealthCheck broker() {
    return () -> {
      HealthCheckResponseBuilder check = HealthCheckResponse.named("broker");
      try (JMSContext context = connectionFactory().createContext()) {
        context.createProducer(); // a pooled connection that the broker accepted
        return check.up().build();
      } catch (RuntimeException | NamingException e) {
        return check.down().withData("error", String.valueOf(e.getMessage())).build();
      }
    };
  }

  /**
   * Looked up when a check runs, not injected: on a full Payara Server the health checks are made
   * where the WAR's java:comp is not bound, and an injected resource fails the deployment (measured
   * with the EAR).
   */
  private static ConnectionFactory connectionFactory() throws NamingException {
    return (ConnectionFactory) new InitialContext().lookup(DirectoryQueues.CONNECTION_FACTORY);
  }

  @Produces
  @Readiness
  HealthCheck directory() {
    return () -> {
      HealthCheckResponseBuilder check = HealthCheckResponse.named("directory");
      try {
        return check.up().withData("dataCenters", directory.dataCenters().size()).build();
      } catch (RuntimeException e) {
        return check.down().withData("error", String.valueOf(e.getMessage())).build();
      }
    };
  }

  /**
   * One check for every storage control unit (sites come from the directory at each call, so a
   * health check of a site added later needs no restart). A site marked down is reported, not
   * failed: operators took it out on purpose, and logins avoid it.
   */
  @Produces
  @Readiness
  HealthCheck storage() {
    return () -> {
      HealthCheckResponseBuilder check = HealthCheckResponse.named("storage");
      boolean allUp = true;
      for (DataCenter site : directory.dataCenters()) {
        if (!site.isUp()) {
          check.withData(site.name(), "marked down");
          continue;
        }
        try (StorageConnection storage = sites.connect(site.storageSystem())) {
          StorageStatus status = storage.status();
          check.withData(
              site.name(),
              "up: "
                  + status.volumes()
                  + " volumes, NBD "
                  + status.nbdHost()
                  + ":"
                  + status.nbdPort());
        } catch (RuntimeException e) {
          allUp = false;
          check.withData(site.name(), "DOWN: " + e.getMessage());
        }
      }
      return check.status(allUp).build();
    };
  }
}
