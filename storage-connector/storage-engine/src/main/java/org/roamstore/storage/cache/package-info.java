/**
 * The cache memory (reference text, 122): a bounded write-back cache of fixed-size pages in front
 * of the volume files, with dirty tracking, a background destager that writes adjacent dirty pages
 * in one call, read-through on a miss, and back-pressure instead of ever dropping dirty data.
 */
package org.roamstore.storage.cache;
