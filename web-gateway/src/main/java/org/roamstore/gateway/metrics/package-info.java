/**
 * MicroProfile Metrics of the gateway, served by Payara Micro at {@code /metrics}: block operations
 * and bytes of the REST block API (IOPS and throughput are their rates), login and switch latency,
 * and each storage control unit's dirty cache bytes.
 */
package org.roamstore.gateway.metrics;
