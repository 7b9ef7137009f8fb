/**
 * The gateway's metrics: block operations and bytes of the REST block API (IOPS and throughput are
 * their rates), login and switch latency, and each storage control unit's dirty cache bytes, in
 * MicroProfile Metrics where the server has it (Payara serves them at {@code /metrics}); none on a
 * server without it (GlassFish 7).
 */
package org.roamstore.gateway.metrics;
