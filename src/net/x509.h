// What wait-http reads from the certificates a server sends, and the rules that match them
// against the host of the URL. The TLS library verifies the signatures of the chain; these say
// how the chain fits together, whom the certificate is for, what it may be used for and when it
// is valid, so that a failure can name each. Pure: no I/O.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"
#include "result.h"

namespace linger {

// An iPAddress name constraint: the addresses whose bits under `mask` equal those of `address`.
struct IpRange {
  IpAddress address;
  std::array<unsigned char, 16> mask{};
};

// The names of one kind of subtree of a nameConstraints extension (RFC 5280 4.2.1.10), of the
// kinds a server's names have.
struct NameSubtrees {
  std::vector<std::string> dns_names;  // "example.com": that name and every name below it
  std::vector<IpRange> ip_ranges;
  bool empty() const { return dns_names.empty() && ip_ranges.empty(); }
};

// The parts of an X.509 certificate that place it in a chain, name its holder, limit its use and
// bound its validity.
struct Certificate {
  std::vector<std::string> dns_names;   // subjectAltName dNSName entries, as written
  std::vector<IpAddress> ip_addresses;  // subjectAltName iPAddress entries
  std::string common_name;              // the subject's last CN, for certificates without SANs
  std::string not_before;               // UTC as "YYYYMMDDHHMMSS", comparable as text
  std::string not_after;                // the same
  std::string issuer;                   // the issuer's Name, DER, as chains are matched: bytewise
  std::string subject;                  // the subject's Name, DER
  // False when an extendedKeyUsage extension lists neither serverAuth nor anyExtendedKeyUsage.
  bool server_auth = true;
  NameSubtrees permitted;  // a CA's nameConstraints: what the names below it must lie in
  NameSubtrees excluded;   // and what they must not
};

// Reads a DER certificate; an error says which part is malformed.
Result<Certificate> ParseCertificate(std::string_view der);

// The order in which `chain` (the certificates a server sent, its own first, the others in any
// order) leads to a trusted authority: indexes into `chain`, starting with 0. Each next one is a
// certificate not yet used whose subject is the issuer of the one before; the path ends where
// `is_anchor_name` is true of an issuer or no certificate of the chain issued the last one.
// Certificates that do not belong (a second path, an unrelated CA) are left out.
template <typename IsAnchorName>
std::vector<size_t> ChainPath(const std::vector<Certificate>& chain,
                              const IsAnchorName& is_anchor_name);

// True when DNS name `pattern` from a certificate covers `host`: equal ignoring case and a
// trailing dot, or "*.rest" where `*` stands for exactly one whole label of `host` and rest has
// at least two labels (so "*.com" covers nothing).
bool DnsNameMatches(std::string_view pattern, std::string_view host);

// True when the certificate is for `host`: an IP address only against the iPAddress entries, a
// name against the dNSName entries, or against the common name when there are none (as curl).
bool CertificateIsFor(const Certificate& names, std::string_view host);

// Why the certificate is not for `host`, for a message: "certificate is for api.example.com, not
// db", or for an address that the certificate has only as a DNS name, that it lacks the IP
// address SAN an address needs.
std::string NameMismatch(const Certificate& names, std::string_view host);

// The names for a message: "api.example.com, *.example.com, 10.0.0.1", or "no name" when empty.
std::string ListNames(const Certificate& names);

// Whether the name constraints of `ca` allow the names of `leaf` that are checked against `host`
// (its SANs, or its common name when that stands in for absent dNSName SANs); the error says
// which one they refuse: "certificate name a.example.com is outside the names permitted to CA ...".
Result<void> CheckNameConstraints(const Certificate& leaf, const Certificate& ca,
                                  std::string_view host);

// Whether the certificate is valid at `now` ("YYYYMMDDHHMMSS", UTC); the error says why not:
// "certificate has expired (on 2024-01-31 12:00:00 UTC)" or "... is not yet valid (from ...)".
Result<void> CheckValidity(const Certificate& names, std::string_view now);

template <typename IsAnchorName>
std::vector<size_t> ChainPath(const std::vector<Certificate>& chain,
                              const IsAnchorName& is_anchor_name) {
  std::vector<size_t> path;
  if (chain.empty()) return path;
  path.push_back(0);
  auto used = [&](size_t index) {
    return std::find(path.begin(), path.end(), index) != path.end();
  };
  while (!is_anchor_name(chain[path.back()].issuer)) {
    const std::string& issuer = chain[path.back()].issuer;
    size_t next = 0;
    while (next < chain.size() && (used(next) || chain[next].subject != issuer)) ++next;
    if (next == chain.size()) break;
    path.push_back(next);
  }
  return path;
}

}  // namespace linger
