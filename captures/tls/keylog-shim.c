/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * keylog-shim.c - LD_PRELOAD library that makes any OpenSSL program write
 * its TLS/DTLS secrets to $SSLKEYLOGFILE (NSS key log format), so that
 * Wireshark can decrypt the capture (-o tls.keylog_file:FILE).
 *
 * coturn's turnutils_uclient creates its SSL_CTX with SSL_CTX_new and has
 * no key-log option; this wraps SSL_CTX_new and installs OpenSSL's own
 * key-log callback (SSL_CTX_set_keylog_callback, OpenSSL 1.1.1+) on every
 * context.  Build: gcc -shared -fPIC -o keylog-shim.so keylog-shim.c -ldl -lssl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/ssl.h>

static void
write_line(const SSL *ssl, const char *line)
{
    const char *path = getenv("SSLKEYLOGFILE");
    FILE *f;

    (void)ssl;
    if (!path || !*path)
        return;
    f = fopen(path, "a");
    if (!f)
        return;
    fprintf(f, "%s\n", line);
    fclose(f);
}

SSL_CTX *
SSL_CTX_new(const SSL_METHOD *method)
{
    static SSL_CTX *(*real_new)(const SSL_METHOD *);
    SSL_CTX *ctx;

    if (!real_new)
        real_new = (SSL_CTX *(*)(const SSL_METHOD *))dlsym(RTLD_NEXT, "SSL_CTX_new");
    if (!real_new)
        return NULL;
    ctx = real_new(method);
    if (ctx)
        SSL_CTX_set_keylog_callback(ctx, write_line);
    return ctx;
}
