/**
 * Mailroom's API: the values callers build ({@code dev.mailroom}) and the interfaces hosts and provider modules
 * implement ({@code dev.mailroom.spi}). Depends on nothing but the JDK: messages cross the SPI as bytes.
 */
module dev.mailroom {
    exports dev.mailroom;
    exports dev.mailroom.spi;

    uses dev.mailroom.spi.DomainNames;
}
