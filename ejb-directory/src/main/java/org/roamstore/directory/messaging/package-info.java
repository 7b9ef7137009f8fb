/**
 * Jakarta Messaging at the directory: the request queue other systems send to (answers go to their
 * JMSReplyTo) and, later, the events topic.
 */
package org.roamstore.directory.messaging;
