/** What the directory's watches (of running verifies, of copies under way) share. */
package org.roamstore.directory.watch;
