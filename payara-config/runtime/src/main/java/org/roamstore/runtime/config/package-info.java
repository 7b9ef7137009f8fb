/**
 * The deployment's configuration as code: the topology file's data centers, the launcher's options,
 * the resources (pools and resources of the Artemis adapter, the directory's database and one
 * storage pool per data center), their asadmin escaping, and the command files rendered from them
 * (Payara Micro's post-boot file, a full server's asadmin file). The launcher {@code
 * payara-config/roamstore} calls {@link org.roamstore.runtime.config.RoamstoreConfig} and only
 * starts and stops processes itself.
 */
package org.roamstore.runtime.config;
