package dev.mailroom.core;

import dev.mailroom.OAuthClient;
import dev.mailroom.Secret;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;

import java.net.URI;

/** Registered in the test resources' META-INF/services, to show that providers are found with the ServiceLoader. */
public final class DiscoveredAuthorizationServer implements AuthorizationServer {
    /** For the service loader. */
    public DiscoveredAuthorizationServer() {
    }

    @Override
    public String provider() {
        return "discovered-test";
    }

    @Override
    public URI consentUrl(OAuthClient client, ConsentRequest request) {
        return URI.create("https://discovered.test/auth");
    }

    @Override
    public TokenResponse exchange(OAuthClient client, String code, Secret codeVerifier, TransportContext context) {
        throw new UnsupportedOperationException("not used");
    }

    @Override
    public TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
        throw new UnsupportedOperationException("not used");
    }
}
