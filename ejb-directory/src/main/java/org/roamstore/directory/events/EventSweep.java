package org.roamstore.directory.events;

import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;

/**
 * Wakes the {@link EventPublisher} every few seconds (and so at start), for events that a crash or
 * a broker outage left in the outbox; committed events wake it themselves.
 */
@Startup
@Singleton
public class EventSweep {
  @Inject private EventPublisher publisher;

  @Schedule(second = "*/5", minute = "*", hour = "*", persistent = false)
  void sweep() {
    publisher.wake();
  }
}
