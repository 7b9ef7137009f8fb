package org.roamstore.storage.replication.send;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.roamstore.storage.replication.batch.BatchFormat;

/**
 * One message on its way: a batch for one or more secondaries of a group. The secondaries of a
 * group that are in sync get the same writes, cut at the same points, so their batches are the same
 * but for their numbering: sent as one message naming each with its sequences, the broker stores
 * the batch once (with a reference in each secondary's subscription) instead of once per secondary,
 * and the primary encodes and sends it once.
 */
record Delivery(List<Shipment> shipments) {

  /**
   * The deliveries of {@code shipments} (in the order they go out), each shipment joined with the
   * same batches of its group's other secondaries. A shipment is joined only with the next one of
   * each other secondary, so every secondary's batches still go out in order.
   */
  static List<Delivery> of(List<Shipment> shipments) {
    List<Delivery> deliveries = new ArrayList<>(shipments.size());
    boolean[] taken = new boolean[shipments.size()];
    for (int i = 0; i < shipments.size(); i++) {
      if (taken[i]) {
        continue;
      }
      Shipment first = shipments.get(i);
      List<Shipment> together = new ArrayList<>(2);
      together.add(first);
      Set<String> looked = new HashSet<>();
      looked.add(first.storageSystem());
      for (int j = i + 1; j < shipments.size(); j++) {
        Shipment next = shipments.get(j);
        if (taken[j]
            || !next.groupId().equals(first.groupId())
            || !looked.add(next.storageSystem())) {
          continue; // not the next batch of a secondary not looked at yet
        }
        if (first.sameBatchAs(next)) {
          taken[j] = true;
          together.add(next);
        }
      }
      deliveries.add(new Delivery(together));
    }
    return deliveries;
  }

  /** The secondaries it is for. */
  List<String> sites() {
    return shipments.stream().map(Shipment::storageSystem).toList();
  }

  boolean persistent() {
    return shipments.get(0).persistent();
  }

  /** The batch as a message of {@code session}, from {@code source}. */
  BytesMessage message(Session session, String source) throws JMSException {
    Shipment first = shipments.get(0);
    List<BatchFormat.Recipient> recipients = new ArrayList<>(shipments.size());
    for (Shipment s : shipments) {
      recipients.add(new BatchFormat.Recipient(s.storageSystem(), s.batch().first, s.batch().last));
    }
    BytesMessage message = session.createBytesMessage();
    first.header(source).writeTo(message, recipients);
    message.writeBytes(first.body(), 0, first.bodyLength());
    return message;
  }
}
