// ParseCertificate on any bytes, as a server may send them. Beyond not crashing: what it reads
// lies inside the input (names, the issuer's and subject's Names), times are 14 digits, bytes
// after the certificate change nothing, and the checks that use a parsed certificate (names,
// name constraints, the path through a chain) finish on it.
#include <algorithm>

#include "check.h"
#include "net/x509.h"
#include "socket_headers.h"

namespace {

bool Inside(std::string_view part, std::string_view whole) {
  return whole.find(part) != std::string_view::npos;
}

bool IsTime(const std::string& time) {
  return time.size() == 14 &&
         std::all_of(time.begin(), time.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view der = fuzz::AsText(data, size);
  linger::Result<linger::Certificate> parsed = linger::ParseCertificate(der);
  if (!parsed.ok()) {
    fuzz::Check(!parsed.error().message.empty(), "an error without a reason");
    return 0;
  }
  const linger::Certificate& certificate = *parsed;
  fuzz::Check(IsTime(certificate.not_before) && IsTime(certificate.not_after), "times {} {}",
              certificate.not_before, certificate.not_after);
  fuzz::Check(!certificate.issuer.empty() && Inside(certificate.issuer, der), "issuer");
  fuzz::Check(!certificate.subject.empty() && Inside(certificate.subject, der), "subject");
  for (const std::string& name : certificate.dns_names) {
    fuzz::Check(Inside(name, der), "a DNS name that is not in the input");
  }
  for (const linger::IpAddress& address : certificate.ip_addresses) {
    fuzz::Check(address.family == AF_INET || address.family == AF_INET6, "family {}",
                address.family);
  }

  std::string longer(der);
  longer += "\x30\x00 trailing";
  linger::Result<linger::Certificate> again = linger::ParseCertificate(longer);
  fuzz::Check(again.ok() && again->subject == certificate.subject &&
                  again->dns_names == certificate.dns_names &&
                  again->ip_addresses == certificate.ip_addresses &&
                  again->server_auth == certificate.server_auth,
              "bytes after the certificate changed what was read");

  fuzz::Check(!linger::ListNames(certificate).empty(), "no words for the names");
  for (std::string_view host : {"a.example.com", "10.0.0.1", "::1"}) {
    (void)linger::CertificateIsFor(certificate, host);
    fuzz::Check(!linger::NameMismatch(certificate, host).empty(), "no words for a mismatch");
    (void)linger::CheckNameConstraints(certificate, certificate, host);
  }
  // A certificate that names itself as its issuer, twice in a chain: the path still ends.
  std::vector<linger::Certificate> chain = {certificate, certificate, certificate};
  std::vector<size_t> path = linger::ChainPath(chain, [](std::string_view) { return false; });
  std::vector<size_t> sorted = path;
  std::sort(sorted.begin(), sorted.end());
  fuzz::Check(!path.empty() && path[0] == 0 && path.size() <= chain.size() &&
                  std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
              "a path of {} through 3 certificates", path.size());
  return 0;
}
