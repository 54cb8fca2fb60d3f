/**
 * SMTP transport (Angus Mail): implicit TLS, required STARTTLS, password login with the "prevent plain-text login" and "prevent NTLM" options,
 * local relay, per-account connection pools, staged diagnostics with hints and a
 * redacted protocol log. Found through {@link java.util.ServiceLoader} with the id {@code smtp}.
 */
package dev.mailroom.smtp;
