/**
 * The message broker of one site. Write data and control requests between sites travel over its
 * queues; it keeps them in a persistent journal so that nothing queued is lost on a restart. Its
 * peers are the sites given at start and those that join later, learnt from the secrets directory
 * ({@link org.roamstore.broker.PeerWatch} says why there and not by a hello or the database).
 */
package org.roamstore.broker;
