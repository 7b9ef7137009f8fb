/**
 * The activity log: per replicated volume at its primary, the regions a crash of this unit may
 * leave different between the copies, recorded durably before a write reaches the cache and cooled
 * once the copies are known to agree on them.
 */
package org.roamstore.storage.activity;
