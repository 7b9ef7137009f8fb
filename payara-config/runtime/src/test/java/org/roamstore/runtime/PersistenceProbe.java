package org.roamstore.runtime;

import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.roamstore.directory.model.DataCenter;

/** Test-only bean added to the WAR: reaches the directory's persistence unit from the test. */
@Stateless
public class PersistenceProbe {
  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  public void persist(DataCenter dataCenter) {
    em.persist(dataCenter);
  }

  public DataCenter find(String name) {
    return em.find(DataCenter.class, name);
  }

  /** The class of the provider's EntityManager, so the test can tell Hibernate is behind it. */
  public String providerSessionClass() {
    return em.unwrap(org.hibernate.Session.class).getClass().getName();
  }
}
