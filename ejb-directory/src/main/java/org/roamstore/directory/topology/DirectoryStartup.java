package org.roamstore.directory.topology;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.Installation;
import org.roamstore.directory.model.NetworkInterface;

/**
 * Prepares the directory at start: gives a new directory its installation identity and loads the
 * topology file named by the system property {@code roamstore.topology} when the directory has no
 * data centers yet. A directory that already has sites is left alone: what operators changed since
 * must survive a restart.
 */
@Startup
@Singleton
public class DirectoryStartup {
  public static final String TOPOLOGY_PROPERTY = "roamstore.topology";
  private static final Logger LOG = Logger.getLogger(DirectoryStartup.class.getName());

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @PostConstruct
  void prepare() {
    if (em.find(Installation.class, Installation.THE_ONE) == null) {
      em.persist(Installation.createNow());
    }
    loadTopologyWhenEmpty();
  }

  private void loadTopologyWhenEmpty() {
    String file = System.getProperty(TOPOLOGY_PROPERTY);
    if (file == null || file.isBlank()) {
      LOG.info("no " + TOPOLOGY_PROPERTY + " given; the directory starts as it is");
      return;
    }
    long sites = em.createQuery("select count(d) from DataCenter d", Long.class).getSingleResult();
    if (sites > 0) {
      LOG.info("directory already holds " + sites + " data centers; topology file not loaded");
      return;
    }
    Path path = Path.of(file);
    if (!Files.isReadable(path)) {
      throw new IllegalStateException(
          "topology file " + path.toAbsolutePath() + " is not readable");
    }
    try {
      Topology topology = Topology.read(path);
      topology.dataCenters().forEach(em::persist);
      topology.networkInterfaces().forEach(em::persist);
      LOG.info(
          "loaded "
              + topology.dataCenters().size()
              + " data centers and "
              + topology.networkInterfaces().size()
              + " network interfaces from "
              + path);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  public Installation installation() {
    return em.find(Installation.class, Installation.THE_ONE);
  }

  public List<DataCenter> dataCenters() {
    return em.createNamedQuery(DataCenter.ALL, DataCenter.class).getResultList();
  }

  public List<NetworkInterface> networkInterfaces() {
    return em.createNamedQuery(NetworkInterface.ALL, NetworkInterface.class).getResultList();
  }
}
