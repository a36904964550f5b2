// https for wait-http: a TLS 1.2 client (BearSSL) over a connected non-blocking socket. Every step
// of the handshake waits only within the attempt's deadline and ends at once on a stop signal.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/stream.h"
#include "result.h"

namespace linger {

// Where the trusted certificate authorities come from, and how messages name that place.
struct TrustStore {
  std::string path;    // a PEM file
  std::string origin;  // "--cacert", "$SSL_CERT_FILE" or "" for the system bundle
};

// What --cacert and --insecure say, resolved once at startup.
struct TlsOptions {
  TrustStore trust;
  bool insecure = false;  // skip verifying the server's certificate (chain and name)
};

// The system bundle of Debian and distroless images, used when nothing else is named.
inline constexpr std::string_view kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

// --cacert when given, else $SSL_CERT_FILE when set and not empty (`ssl_cert_file` is its value,
// nothing when unset), else the system bundle.
TrustStore ChooseTrustStore(std::string_view cacert, std::optional<std::string_view> ssl_cert_file);

// Runs the handshake on connected socket `fd` (which stays the caller's) for the URL's `host`:
// SNI for a name, none for an IP address; the certificate chain and name verified unless
// `options.insecure`. The trust store is read again on every call, so a file that appears or
// changes later counts. Errors say what failed and name `endpoint`.
Result<std::unique_ptr<Stream>> StartTls(const AttemptContext& ctx, int fd,
                                         const std::string& endpoint, const std::string& host,
                                         const TlsOptions& options);

// Words for a BearSSL error code (BR_ERR_*, alerts included): "the server sent alert
// handshake_failure (40)", "protocol version refused: ...".
std::string TlsErrorText(int error);

}  // namespace linger
