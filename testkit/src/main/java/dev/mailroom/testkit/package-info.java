/**
 * Test support for Mailroom and its hosts: in-process mail servers on free loopback ports (GreenMail
 * for SMTP/IMAP, SubEthaSMTP for STARTTLS and implicit TLS, a scriptable SMTP server for exact replies
 * and broken connections), fake HTTP providers on the JDK's server (Gmail API and Google's authorization
 * server; Microsoft Graph and the Microsoft identity platform: {@link dev.mailroom.testkit.FakeGraphApi},
 * {@link dev.mailroom.testkit.FakeMicrosoftIdentity}), a far end that never answers
 * ({@link dev.mailroom.testkit.SilentServer}), test certificates, readable assertions on received mail, and abstract
 * contract suites that every SPI implementation (Mailroom's and a host's) extends.
 */
package dev.mailroom.testkit;
