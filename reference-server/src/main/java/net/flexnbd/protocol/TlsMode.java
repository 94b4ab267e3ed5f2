package net.flexnbd.protocol;

/** Whether the server offers NBD_OPT_STARTTLS, and whether it insists on it ({@code --tls}). */
public enum TlsMode {
    /** STARTTLS is not supported: NBD_REP_ERR_UNSUP. */
    OFF,
    /** STARTTLS is offered; clients may also stay in clear. */
    ON,
    /** Every option before STARTTLS gets NBD_REP_ERR_TLS_REQD; NBD_OPT_EXPORT_NAME closes. */
    REQUIRE
}
