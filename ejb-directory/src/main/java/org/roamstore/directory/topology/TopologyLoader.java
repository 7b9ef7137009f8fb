package org.roamstore.directory.topology;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import java.util.logging.Logger;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.model.Installation;
import org.roamstore.directory.provisioning.VolumeSpec;
import org.roamstore.directory.security.PasswordHasher;
import org.roamstore.directory.sites.SiteService;

/**
 * Loads what a topology file gives into the parts of the directory that are still empty, each part
 * on its own: sites and network interfaces when there are no data centers, users when there are
 * none. Into a directory that has data centers, only the data centers and network interfaces it
 * lacks are added ({@link SiteService#addFromTopology}). What operators changed since must survive
 * a restart, so nothing is ever overwritten.
 */
@Stateless
public class TopologyLoader {
  private static final Logger LOG = Logger.getLogger(TopologyLoader.class.getName());

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private PasswordHasher hasher;
  @Inject private SiteService sites;

  /** Returns the demo volumes to create, when the directory has no volumes yet. */
  @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
  public List<VolumeSpec> load(Topology topology, String from) {
    if (em.find(Installation.class, Installation.THE_ONE) == null) {
      em.persist(Installation.createNow());
    }
    if (count("select count(d) from DataCenter d") == 0) {
      topology.dataCenters().forEach(em::persist);
      topology.networkInterfaces().forEach(em::persist);
      LOG.info(
          "loaded "
              + topology.dataCenters().size()
              + " data centers and "
              + topology.networkInterfaces().size()
              + " network interfaces from "
              + from);
    } else {
      sites.addFromTopology(topology.dataCenters(), topology.networkInterfaces(), from);
    }
    if (count("select count(u) from DirectoryUser u") == 0) {
      topology
          .users()
          .forEach(
              u ->
                  em.persist(
                      new DirectoryUser(u.name(), hasher.hash(u.password()), u.rolesOrDefault())));
      LOG.info("loaded " + topology.users().size() + " users from " + from);
    }
    return count("select count(v) from VirtualVolume v") == 0 ? topology.volumes() : List.of();
  }

  @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
  public void createInstallation() {
    if (em.find(Installation.class, Installation.THE_ONE) == null) {
      em.persist(Installation.createNow());
    }
  }

  public Installation installation() {
    return em.find(Installation.class, Installation.THE_ONE);
  }

  public List<DataCenter> dataCenters() {
    return em.createNamedQuery(DataCenter.ALL, DataCenter.class).getResultList();
  }

  public List<org.roamstore.directory.model.NetworkInterface> networkInterfaces() {
    return em.createNamedQuery(
            org.roamstore.directory.model.NetworkInterface.ALL,
            org.roamstore.directory.model.NetworkInterface.class)
        .getResultList();
  }

  private long count(String query) {
    return em.createQuery(query, Long.class).getSingleResult();
  }
}
