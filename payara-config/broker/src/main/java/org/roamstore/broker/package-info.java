/**
 * The message broker of one site. Write data and control requests between sites travel over its
 * queues; it keeps them in a persistent journal so that nothing queued is lost on a restart.
 */
package org.roamstore.broker;
