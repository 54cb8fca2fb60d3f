/**
 * Microsoft 365 for Mailroom: {@link dev.mailroom.graph.GraphTransportProvider} sends through Microsoft Graph's
 * {@code sendMail}, and {@link dev.mailroom.graph.MicrosoftAuthorizationServer} gets application tokens from the
 * Microsoft identity platform (client credentials, with msal4j). Everything under {@code dev.mailroom.graph.internal}
 * is not API and may change in any release.
 */
package dev.mailroom.graph;
