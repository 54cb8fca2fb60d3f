/**
 * The Gmail API transport and Google's OAuth 2.0 protocol for Mailroom.
 *
 * <p>{@link dev.mailroom.gmail.GmailTransportProvider} sends the mail of accounts whose send settings are
 * {@link dev.mailroom.SendSettings#gmailApi()} with an OAuth 2.0 login; {@link dev.mailroom.gmail.GoogleAuthorizationServer}
 * speaks to Google's consent page and token endpoint for Mailroom's OAuth lifecycle. Both are found by the service
 * loader when this module is on the class or module path. Everything in {@code dev.mailroom.gmail.internal} is not API.
 */
package dev.mailroom.gmail;
