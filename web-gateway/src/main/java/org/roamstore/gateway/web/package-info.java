/** The pages a person sees at the access gateway. */
package org.roamstore.gateway.web;
