package org.roamstore.storage.replication;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import java.util.HashSet;
import java.util.Set;
import org.roamstore.storage.replication.batch.Queues;

/**
 * Makes sure a site's durable subscription to a write data address exists before anything is sent
 * for it: a message sent to a topic that no subscription takes is dropped, so a batch sent before
 * its secondary first connected would be lost. Creating the subscription here (the same name and
 * selector as the secondary's own) keeps it from then on, whether the secondary is up or not; in
 * the multi-site set-up the site's broker has it already, as the queue its bridge forwards from.
 * Used by one loop's thread.
 */
public final class DurableSubscriptions {
  private final ConnectionFactory factory;
  private final String address;
  private final Set<String> known = new HashSet<>();

  public DurableSubscriptions(ConnectionFactory factory, String address) {
    this.factory = factory;
    this.address = address;
  }

  /** Creates {@code site}'s subscription unless this loop knows it exists. */
  public void ensure(String site) throws JMSException {
    if (known.contains(site)) {
      return;
    }
    // A connection of its own, never started: its consumer must not take a batch meant for the
    // secondary, even for the moment it is open.
    try (Connection connection = factory.createConnection()) {
      Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
      subscribe(session, Queues.subscription(address, site)).close();
    }
    known.add(site);
  }

  /** Creates the subscriptions of {@code sites} this loop does not know exist. */
  public void ensure(Iterable<String> sites) throws JMSException {
    for (String site : sites) {
      ensure(site);
    }
  }

  /** After a reconnect: the broker may have started afresh, without them. */
  public void forget() {
    known.clear();
  }

  /**
   * A consumer of {@code subscription} on {@code session}, creating the subscription if need be.
   */
  public static jakarta.jms.MessageConsumer subscribe(
      Session session, Queues.Subscription subscription) throws JMSException {
    return session.createSharedDurableConsumer(
        session.createTopic(subscription.address()), subscription.name(), subscription.selector());
  }
}
