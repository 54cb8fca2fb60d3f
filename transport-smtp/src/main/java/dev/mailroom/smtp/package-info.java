/**
 * SMTP transport (Angus Mail): implicit TLS, required STARTTLS, password login with the A9 options,
 * local relay (B8), per-account connection pools, staged diagnostics with hints (C1, C2, C5) and a
 * redacted protocol log (C4). Found through {@link java.util.ServiceLoader} with the id {@code smtp}.
 */
package dev.mailroom.smtp;
