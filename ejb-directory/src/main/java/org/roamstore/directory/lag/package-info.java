/**
 * Lag over time: every few seconds the directory samples how far each secondary is behind its
 * primary and keeps the last 15 minutes of samples per volume and secondary in a ring of fixed
 * size, for the status page's charts and the per-volume lag metrics.
 */
package org.roamstore.directory.lag;
