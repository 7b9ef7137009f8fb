/**
 * The operators' status page: sites up or down, volumes, where each primary is, epochs and lag,
 * refreshed in place by polling {@code /api/status} (role admin).
 */
package org.roamstore.gateway.web.status;
