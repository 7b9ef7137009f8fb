/**
 * Jakarta Messaging at the directory: the request queue {@value
 * org.roamstore.storage.api.Destinations#DIRECTORY_REQUESTS} other systems send {@code ping},
 * {@code login} and {@code provision} requests to (answers go to their JMSReplyTo), over the core
 * protocol or AMQP 1.0. Events go out on the topic of {@link
 * org.roamstore.directory.events.DirectoryEvents}.
 */
package org.roamstore.directory.messaging;
