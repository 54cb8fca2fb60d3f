/**
 * Mailroom's API: the values callers build ({@code dev.mailroom}) and the interfaces hosts and provider modules
 * implement ({@code dev.mailroom.spi}). Depends on the Jakarta Mail API alone.
 */
module dev.mailroom {
    requires transitive jakarta.mail;

    exports dev.mailroom;
    exports dev.mailroom.spi;

    uses dev.mailroom.spi.DomainNames;
}
