// What wait-http reads from a server's own certificate, and the rules that match it against the
// host of the URL. The TLS library verifies the chain; these say whom the certificate is for and
// when it is valid, so that a failure can name both. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dns.h"
#include "result.h"

namespace linger {

// The parts of an X.509 certificate that name its holder and bound its validity.
struct CertificateNames {
  std::vector<std::string> dns_names;   // subjectAltName dNSName entries, as written
  std::vector<IpAddress> ip_addresses;  // subjectAltName iPAddress entries
  std::string common_name;              // the subject's last CN, for certificates without SANs
  std::string not_before;               // UTC as "YYYYMMDDHHMMSS", comparable as text
  std::string not_after;                // the same
};

// Reads a DER certificate; an error says which part is malformed.
Result<CertificateNames> ParseCertificate(std::string_view der);

// True when DNS name `pattern` from a certificate covers `host`: equal ignoring case and a
// trailing dot, or "*.rest" where `*` stands for exactly one whole label of `host` and rest has
// at least two labels (so "*.com" covers nothing).
bool DnsNameMatches(std::string_view pattern, std::string_view host);

// True when the certificate is for `host`: an IP address only against the iPAddress entries, a
// name against the dNSName entries, or against the common name when there are none (as curl).
bool CertificateIsFor(const CertificateNames& names, std::string_view host);

// The names for a message: "api.example.com, *.example.com, 10.0.0.1", or "no name" when empty.
std::string ListNames(const CertificateNames& names);

// Why the certificate is not valid at `now` ("YYYYMMDDHHMMSS", UTC), or "" when it is:
// "certificate has expired (on 2024-01-31 12:00:00 UTC)" or "... is not yet valid (from ...)".
std::string ValidityProblem(const CertificateNames& names, std::string_view now);

}  // namespace linger
