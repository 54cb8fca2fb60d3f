/**
 * Microsoft 365 for Mailroom: the Graph transport (id {@code graph}) and the Microsoft identity platform's
 * authorization server (provider {@code microsoft}), found by {@link java.util.ServiceLoader}. Only
 * {@code dev.mailroom.graph} is exported; {@code dev.mailroom.graph.internal} is not reachable from other modules.
 * msal4j is an automatic module ({@code com.microsoft.aad.msal4j}).
 */
@SuppressWarnings("requires-automatic")
module dev.mailroom.graph {
    requires transitive dev.mailroom;
    requires java.net.http;
    requires jakarta.mail;
    requires com.google.gson;
    requires com.microsoft.aad.msal4j;

    exports dev.mailroom.graph;

    provides dev.mailroom.spi.TransportProvider with dev.mailroom.graph.GraphTransportProvider;
    provides dev.mailroom.spi.AuthorizationServer with dev.mailroom.graph.MicrosoftAuthorizationServer;
}
