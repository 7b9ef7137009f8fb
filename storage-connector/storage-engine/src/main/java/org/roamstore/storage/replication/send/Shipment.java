package org.roamstore.storage.replication.send;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.roamstore.storage.replication.batch.BatchFormat;

/** A batch on its way: taken by the send process, then committed or returned. */
public record Shipment(
    String groupId, String storageSystem, SecondaryLink link, OutgoingBatch batch) {
  public BatchFormat.Header header(String source) {
    return new BatchFormat.Header(
        groupId,
        batch.stream,
        source,
        batch.first,
        batch.last,
        batch.checkpoint,
        batch.lastWrite,
        batch.resyncing);
  }

  public byte[] body() {
    return batch.bodyArray();
  }

  /** The batch as a message of {@code session}, from {@code source}. */
  BytesMessage message(Session session, String source) throws JMSException {
    BytesMessage message = session.createBytesMessage();
    header(source).writeTo(message);
    message.writeBytes(body(), 0, bodyLength());
    return message;
  }

  public int bodyLength() {
    return batch.sizeBytes();
  }

  /** ASYNC batches go into the broker's journal; SYNC ones are retained by the primary. */
  public boolean persistent() {
    return !batch.retained;
  }
}
