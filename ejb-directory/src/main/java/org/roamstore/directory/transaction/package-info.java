/** What the directory hooks into its JTA transactions. */
package org.roamstore.directory.transaction;
