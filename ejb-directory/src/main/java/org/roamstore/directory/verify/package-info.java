/**
 * Online verify of a volume's copies, as an operator asks for it: {@code VerifyService} (EJB)
 * starts it at the primary's storage control unit and announces {@code VERIFY_STARTED}; {@code
 * VerifyWatch} follows the verifies that run (and only while some do) and announces {@code
 * VERIFY_FINISHED} with each secondary's result; {@code OnlineVerify} holds the rules, free of the
 * container.
 */
package org.roamstore.directory.verify;
