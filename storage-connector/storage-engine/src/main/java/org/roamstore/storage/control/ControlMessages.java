package org.roamstore.storage.control;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.roamstore.storage.api.StorageException;

/** The message properties of control requests and replies, named once for both sides. */
final class ControlMessages {
  /** On a request: the {@link ControlCommand}'s name (see {@link CommandCodec}). */
  static final String OP = "op";

  /** On a reply: whether the call succeeded (the body is then its result). */
  static final String OK = "ok";

  /** On a refusal: the {@link StorageException.Reason} by name, and the message. */
  static final String REASON = "reason";

  static final String MESSAGE = "message";

  private ControlMessages() {}

  static void refuse(Message reply, StorageException.Reason reason, String message)
      throws JMSException {
    reply.setBooleanProperty(OK, false);
    reply.setStringProperty(REASON, reason.name());
    reply.setStringProperty(MESSAGE, message);
  }

  /** The refusal a reply carries, as the exception a local call would have thrown. */
  static StorageException refusal(Message reply) throws JMSException {
    StorageException.Reason reason;
    try {
      reason = StorageException.Reason.valueOf(reply.getStringProperty(REASON));
    } catch (IllegalArgumentException | NullPointerException e) {
      reason = StorageException.Reason.IO_ERROR;
    }
    return new StorageException(reason, reply.getStringProperty(MESSAGE));
  }
}
