/**
 * Optional: internationalized domain names by UTS #46 (IDNA2008) and look-alike checks by UTS #39, with ICU4J
 * (automatic module {@code com.ibm.icu}, a stable name from its manifest). Provides {@link dev.mailroom.spi.DomainNames}.
 */
@SuppressWarnings("requires-automatic") // ICU4J declares Automatic-Module-Name: com.ibm.icu, a stable name
module dev.mailroom.icu {
    requires transitive dev.mailroom;
    requires com.ibm.icu;

    exports dev.mailroom.icu;

    provides dev.mailroom.spi.DomainNames with dev.mailroom.icu.IcuDomainNames;
}
