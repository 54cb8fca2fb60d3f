/**
 * Internationalized domain names by UTS #46 (IDNA2008, non-transitional) and look-alike checks by UTS #39,
 * with ICU4J. Nothing to call: on the class path, {@link dev.mailroom.spi.DomainNames#installed()} finds
 * {@link dev.mailroom.icu.IcuDomainNames} by {@link java.util.ServiceLoader}.
 */
package dev.mailroom.icu;
