package dev.mailroom.spi;

import java.util.List;
import java.util.Objects;

/**
 * What one consent asks for, as Mailroom hands it to {@link AuthorizationServer#consentUrl}. Immutable.
 *
 * @param state the single-use random state that the provider passes back to the redirect URL
 * @param codeChallenge the PKCE challenge: base64url (no padding) of the SHA-256 of the verifier ({@code S256})
 * @param loginHint the mailbox that should consent (the account's address), passed as the login hint
 * @param scopes every scope to ask for: the client's and the provider's identity scopes
 */
public record ConsentRequest(String state, String codeChallenge, String loginHint, List<String> scopes) {
    /**
     * Validates.
     *
     * @param state see the record description
     * @param codeChallenge see the record description
     * @param loginHint see the record description
     * @param scopes see the record description
     */
    public ConsentRequest {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(codeChallenge, "codeChallenge");
        Objects.requireNonNull(loginHint, "loginHint");
        scopes = List.copyOf(scopes);
    }

    @Override
    public String toString() {
        return "ConsentRequest[login hint " + loginHint + ", scopes " + scopes + "]";
    }
}
