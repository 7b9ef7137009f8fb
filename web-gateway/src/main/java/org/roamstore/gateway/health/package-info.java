/**
 * MicroProfile Health of the gateway, served by Payara Micro at {@code /health/live} and {@code
 * /health/ready}: ready means the directory answers, the broker takes a connection and every
 * storage control unit of an up data center answers.
 */
package org.roamstore.gateway.health;
