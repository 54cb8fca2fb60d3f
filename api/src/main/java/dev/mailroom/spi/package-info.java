/**
 * Service provider interfaces: what host applications (storage, directories) and transport modules
 * implement. Each SPI documents its threading contract, what it may throw, and has an in-memory or
 * null implementation in core and an abstract contract test suite in the testkit module.
 */
package dev.mailroom.spi;
