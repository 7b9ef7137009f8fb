package org.roamstore.directory.placement;

import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.model.Position;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.provisioning.CopiesSettled;
import org.roamstore.directory.provisioning.ProvisioningService;
import org.roamstore.directory.transaction.AfterCompletion;

/**
 * Hands a login of a volume with a placement policy to the policy once the login has committed, on
 * the container's managed executor: the login neither waits for it nor fails because of it. A
 * decision of mode {@code on} is carried out there through {@link ProvisioningService} (each call
 * its own transaction); a refusal or failure is announced as {@code PLACEMENT_FAILED}. When a
 * volume's copy work ends, the policy decides again the same way, without a login.
 *
 * <p>The work of one volume runs one at a time in this JVM, so the second of two quick logins sees
 * the copy the first one's decision added. Directory instances sharing a database decide under the
 * volume's row lock; should two of them add the same copy, provisioning refuses the second and it
 * is announced as failed.
 */
@ApplicationScoped
public class PlacementTrigger {
  private static final Logger LOG = Logger.getLogger(PlacementTrigger.class.getName());

  @Resource private TransactionSynchronizationRegistry transactions;
  @Resource private ManagedExecutorService executor;
  @EJB private PlacementService placement;
  @EJB private ProvisioningService provisioning;

  private final ConcurrentMap<String, ReentrantLock> volumes = new ConcurrentHashMap<>();

  /**
   * Called inside a login's transaction, after it decided. Without a policy (most volumes) it does
   * nothing: the policy is part of the volume's row, which the login has read already.
   */
  public void afterLogin(VirtualVolume volume, String networkInterface, Position from, Instant at) {
    if (volume.placement().isOff()) {
      return;
    }
    String name = volume.name();
    try {
      transactions.registerInterposedSynchronization(
          new AfterCompletion(
              status -> {
                if (status == Status.STATUS_COMMITTED) {
                  executor.execute(() -> run(name, networkInterface, from, at));
                }
              }));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "placement policy not told of a login of " + name, e);
    }
  }

  /**
   * When a volume's copy work has ended (the copy the policy added is complete), the policy decides
   * again at once on the logins it noted: the copy too many goes now, not at the next login.
   */
  void afterCopiesSettled(@Observes CopiesSettled settled) {
    String name = settled.volume();
    try {
      executor.execute(() -> decideUnderLock(name, "its copies settled", placement::reconsider));
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING, "placement policy not told that the copies of " + name + " settled", e);
    }
  }

  private void run(String volume, String networkInterface, Position from, Instant at) {
    decideUnderLock(volume, "a login", v -> placement.noteLogin(v, networkInterface, from, at));
  }

  private void decideUnderLock(
      String volume, String occasion, Function<String, List<PlacementDecision>> decide) {
    ReentrantLock lock = volumes.computeIfAbsent(volume, v -> new ReentrantLock());
    lock.lock();
    try {
      for (PlacementDecision d : decide.apply(volume)) {
        carryOut(volume, d);
      }
    } catch (RuntimeException e) {
      // The volume may be gone or busy; the next login decides again.
      LOG.log(
          Level.WARNING,
          "placement policy of " + volume + " skipped " + occasion + ": " + why(e),
          e);
    } finally {
      lock.unlock();
    }
  }

  private void carryOut(String volume, PlacementDecision d) {
    try {
      switch (d.action()) {
        case ADD -> provisioning.addCopy(volume, d.dataCenter());
        case DROP -> provisioning.dropCopy(volume, d.dataCenter());
        case NONE -> {}
      }
      LOG.info("placement policy of " + volume + ": " + d.key() + " done (" + d.reason() + ")");
    } catch (RuntimeException e) {
      String error = why(e);
      LOG.log(
          Level.WARNING, "placement policy of " + volume + ": " + d.key() + " failed: " + error);
      placement.failed(volume, d, error);
    }
  }

  /** The refusal's code and words, or the failure underneath the container's wrapping. */
  private static String why(RuntimeException e) {
    Throwable t = e;
    while (t instanceof EJBException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof DirectoryException d) {
      return d.code() + ": " + d.getMessage();
    }
    return String.valueOf(t);
  }
}
