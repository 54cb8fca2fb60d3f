package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class OAuthClientTest {
    private static OAuthClient.Builder google() {
        return OAuthClient.builder(OAuthClientId.of("acme-google"), "google").clientId("1234.apps.googleusercontent.com")
                .clientSecret(Secret.of("s3cret")).redirectUri(URI.create("https://erp.acme.example/oauth/callback"))
                .scopes(List.of("https://mail.google.com/"));
    }

    @Test
    @DisplayName("D1: endpoint overrides must be https: the client secret and refresh tokens travel there; plain http only on localhost")
    void endpoints_httpsOrLoopbackOnly() {
        assertThatThrownBy(() -> google().endpoints(URI.create("http://auth.example/auth"), URI.create("http://auth.example/token")))
                .isInstanceOf(MailException.class).hasMessageContaining("acme-google").hasMessageContaining("must be an https URL");
        assertThat(google().endpoints(URI.create("https://login.example/auth"), URI.create("https://login.example/token")).build()
                .tokenEndpoint()).contains(URI.create("https://login.example/token"));
        assertThat(google().endpoints(URI.create("http://127.0.0.1:8080/auth"), URI.create("http://localhost:8080/token")).build()
                .authorizationEndpoint()).isPresent();
    }

    @Test
    @DisplayName("D1: bad input from an admin form is a typed INVALID_ACCOUNT naming the registration and the field, with an example")
    void badInput_typedNamingTheField() {
        MailException noClientId = org.junit.jupiter.api.Assertions.assertThrows(MailException.class, () -> google().clientId(" ").build());
        assertThat(noClientId.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
        assertThat(noClientId.getMessage()).contains("acme-google").contains("clientId is required").contains("apps.googleusercontent.com");
        assertThatThrownBy(() -> OAuthClient.builder(OAuthClientId.of("x"), "google").clientId("c").redirectUri(URI.create("https://e.example/cb"))
                .build()).isInstanceOf(MailException.class).hasMessageContaining("clientSecret is required");
        assertThatThrownBy(() -> google().redirectUri(URI.create("/relative")).build()).isInstanceOf(MailException.class)
                .hasMessageContaining("redirectUri must be an absolute");
        assertThatThrownBy(() -> google().scopes(List.of("openid email"))).isInstanceOf(MailException.class).hasMessageContaining("spaces");
        assertThatThrownBy(() -> OAuthClient.builder(OAuthClientId.of("x"), "Google Inc")).isInstanceOf(MailException.class)
                .hasMessageContaining("provider");
    }

    @Test
    @DisplayName("D1: the client secret never shows, and a client read back carries the placeholder")
    void secret_writeOnly() {
        OAuthClient c = google().build();
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(c.withoutSecret().clientSecret().isPlaceholder()).isTrue();
    }
}
