package org.roamstore.directory.events;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import java.util.Map;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.model.VirtualVolume;

/**
 * The timeline for operators. A filter naming a volume or user that neither the directory nor the
 * kept history knows is refused, so a typo says so instead of showing an empty timeline.
 */
@Stateless
public class HistoryService {
  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private EventHistory history;

  public List<HistoryEntry> select(HistoryFilter filter, int limit) {
    if (filter.volume() != null
        && !history.mentionsVolume(filter.volume())
        && em.createNamedQuery(VirtualVolume.BY_NAME, VirtualVolume.class)
            .setParameter("name", filter.volume())
            .getResultList()
            .isEmpty()) {
      throw new DirectoryException(
          ErrorCode.UNKNOWN_VOLUME,
          "no virtual volume named '" + filter.volume() + "', and none in the history",
          Map.of("volume", filter.volume()));
    }
    if (filter.user() != null
        && !history.mentionsUser(filter.user())
        && em.find(DirectoryUser.class, filter.user()) == null) {
      throw new DirectoryException(
          ErrorCode.UNKNOWN_USER,
          "no user named '" + filter.user() + "', and none in the history",
          Map.of("user", filter.user()));
    }
    return history.select(filter, limit);
  }
}
