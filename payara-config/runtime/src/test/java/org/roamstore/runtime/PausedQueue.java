package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientRequestor;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.api.core.management.ManagementHelper;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.roamstore.broker.BrokerUsers;

/**
 * A queue of the tests' broker that delivers nothing until closed, paused and resumed through the
 * broker's management address as an operator's tool would: a secondary whose write data queue is
 * paused receives nothing, so it lags by exactly what its primary accepts meanwhile.
 */
final class PausedQueue implements AutoCloseable {
  private static final String MANAGEMENT = "activemq.management";

  private final String queue;
  private boolean paused;

  private PausedQueue(String queue) {
    this.queue = queue;
  }

  /** Pauses {@code queue} on the broker at {@code it.broker.port}. */
  static PausedQueue pause(String queue) throws Exception {
    PausedQueue handle = new PausedQueue(queue);
    handle.invoke("pause");
    handle.paused = true;
    return handle;
  }

  /** Delivers again; closing after that does nothing more. */
  void resume() throws Exception {
    if (paused) {
      invoke("resume");
      paused = false;
    }
  }

  @Override
  public void close() throws Exception {
    resume();
  }

  private void invoke(String operation) throws Exception {
    try (ServerLocator locator =
            ActiveMQClient.createServerLocator(
                "tcp://127.0.0.1:" + System.getProperty("it.broker.port"));
        ClientSessionFactory factory = locator.createSessionFactory();
        // Management is the server's right: an operator's tool logs in as the site's server.
        ClientSession session =
            factory.createSession(
                BrokerUsers.ALL_IN_ONE,
                TestBrokerSession.serverPassword(),
                false,
                true,
                true,
                false,
                0)) {
      session.start();
      try (ClientRequestor requestor = new ClientRequestor(session, MANAGEMENT)) {
        ClientMessage request = session.createMessage(false);
        ManagementHelper.putOperationInvocation(request, ResourceNames.QUEUE + queue, operation);
        ClientMessage reply = requestor.request(request, 10_000);
        assertTrue(
            reply != null && ManagementHelper.hasOperationSucceeded(reply),
            operation
                + " of "
                + queue
                + ": "
                + (reply == null ? "no answer" : reply.getBodyBuffer()));
      }
    }
  }
}
