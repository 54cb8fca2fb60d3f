/**
 * Mailroom's engine: the {@link dev.mailroom.core.Mailroom} facade, account resolution, transport
 * discovery, composition, and in-memory implementations of the SPIs. Types in {@code .internal} are
 * not API and may change in any release.
 */
package dev.mailroom.core;
