/**
 * Real volumes on disk: one sparse file per volume, its size fixed at creation. Nothing here
 * caches; the cache memory sits in front of these files.
 */
package org.roamstore.storage.volume;
