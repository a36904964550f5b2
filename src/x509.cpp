#include "x509.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "socket_headers.h"
#include "text.h"

namespace linger {
namespace {

// DER tags (X.690 8.1.2) of what a certificate holds.
constexpr unsigned char kSequence = 0x30;
constexpr unsigned char kSet = 0x31;
constexpr unsigned char kOid = 0x06;
constexpr unsigned char kBoolean = 0x01;
constexpr unsigned char kOctetString = 0x04;
constexpr unsigned char kUtcTime = 0x17;
constexpr unsigned char kGeneralizedTime = 0x18;
constexpr unsigned char kVersion = 0xa0;       // [0] EXPLICIT in TBSCertificate
constexpr unsigned char kExtensions = 0xa3;    // [3] EXPLICIT in TBSCertificate
constexpr unsigned char kSanDnsName = 0x82;    // GeneralName [2] IMPLICIT IA5String
constexpr unsigned char kSanIpAddress = 0x87;  // GeneralName [7] IMPLICIT OCTET STRING

// OID contents (RFC 5280 4.2.1.6, X.520): subjectAltName 2.5.29.17, commonName 2.5.4.3.
constexpr std::string_view kSubjectAltName = "\x55\x1d\x11";
constexpr std::string_view kCommonName = "\x55\x04\x03";

// Reads DER elements one after the other from a byte string.
class DerReader {
 public:
  explicit DerReader(std::string_view data) : data_(data) {}

  bool empty() const { return data_.empty(); }
  // The tag of the next element, 0 at the end.
  unsigned char PeekTag() const { return data_.empty() ? 0 : static_cast<unsigned char>(data_[0]); }

  // Reads the next element, which must have `tag`, into `content`. Single-byte tags and definite
  // lengths only, as DER requires.
  bool Read(unsigned char tag, std::string_view& content) {
    if (data_.size() < 2 || PeekTag() != tag) return false;
    size_t length = static_cast<unsigned char>(data_[1]);
    size_t header = 2;
    if (length >= 0x80) {
      size_t bytes = length & 0x7f;
      if (bytes == 0 || bytes > 4 || data_.size() < 2 + bytes) return false;
      length = 0;
      for (size_t i = 0; i < bytes; ++i)
        length = length << 8 | static_cast<unsigned char>(data_[2 + i]);
      header += bytes;
    }
    if (data_.size() - header < length) return false;
    content = data_.substr(header, length);
    data_.remove_prefix(header + length);
    return true;
  }

  // Reads the next element whatever its tag.
  bool Skip() {
    std::string_view ignored;
    return Read(PeekTag(), ignored);
  }

 private:
  std::string_view data_;
};

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// UTCTime "YYMMDDHHMMSSZ" (years 1950-2049, RFC 5280 4.1.2.5.1) or GeneralizedTime
// "YYYYMMDDHHMMSSZ", as "YYYYMMDDHHMMSS"; "" when it is neither.
std::string ReadTime(DerReader& reader) {
  std::string_view text;
  if (reader.PeekTag() == kUtcTime && reader.Read(kUtcTime, text) && text.size() == 13 &&
      text.back() == 'Z' && AllDigits(text.substr(0, 12))) {
    return std::string(text[0] >= '5' ? "19" : "20") + std::string(text.substr(0, 12));
  }
  if (reader.PeekTag() == kGeneralizedTime && reader.Read(kGeneralizedTime, text) &&
      text.size() == 15 && text.back() == 'Z' && AllDigits(text.substr(0, 14))) {
    return std::string(text.substr(0, 14));
  }
  return {};
}

// The last commonName of a Name: SEQUENCE OF SET OF SEQUENCE { OID, value }.
bool ReadCommonName(std::string_view name, std::string& common_name) {
  DerReader rdns(name);
  while (!rdns.empty()) {
    std::string_view rdn;
    if (!rdns.Read(kSet, rdn)) return false;
    DerReader attributes(rdn);
    while (!attributes.empty()) {
      std::string_view attribute, oid, value;
      if (!attributes.Read(kSequence, attribute)) return false;
      DerReader parts(attribute);
      if (!parts.Read(kOid, oid) || !parts.Read(parts.PeekTag(), value)) return false;
      if (oid == kCommonName) common_name = value;
    }
  }
  return true;
}

// The dNSName and iPAddress entries of a subjectAltName value; other kinds are skipped.
bool ReadAltNames(std::string_view value, CertificateNames& names) {
  DerReader outer(value);
  std::string_view list;
  if (!outer.Read(kSequence, list)) return false;
  DerReader entries(list);
  while (!entries.empty()) {
    std::string_view entry;
    unsigned char tag = entries.PeekTag();
    if (!entries.Read(tag, entry)) return false;
    if (tag == kSanDnsName) {
      names.dns_names.emplace_back(entry);
    } else if (tag == kSanIpAddress && (entry.size() == 4 || entry.size() == 16)) {
      IpAddress address;
      address.family = entry.size() == 4 ? AF_INET : AF_INET6;
      std::memcpy(address.bytes.data(), entry.data(), entry.size());
      names.ip_addresses.push_back(address);
    }
  }
  return true;
}

bool ReadExtensions(std::string_view explicit_tag, CertificateNames& names) {
  DerReader outer(explicit_tag);
  std::string_view list;
  if (!outer.Read(kSequence, list)) return false;
  DerReader extensions(list);
  while (!extensions.empty()) {
    std::string_view extension, oid, value;
    if (!extensions.Read(kSequence, extension)) return false;
    DerReader parts(extension);
    if (!parts.Read(kOid, oid)) return false;
    if (parts.PeekTag() == kBoolean && !parts.Skip()) return false;  // critical
    if (!parts.Read(kOctetString, value)) return false;
    if (oid == kSubjectAltName && !ReadAltNames(value, names)) return false;
  }
  return true;
}

std::string StripDot(std::string_view name) {
  return std::string(name.ends_with('.') ? name.substr(0, name.size() - 1) : name);
}

// "20240131120000" as "2024-01-31 12:00:00 UTC".
std::string FormatTime(std::string_view t) {
  return fmt::format("{}-{}-{} {}:{}:{} UTC", t.substr(0, 4), t.substr(4, 2), t.substr(6, 2),
                     t.substr(8, 2), t.substr(10, 2), t.substr(12, 2));
}

}  // namespace

Result<CertificateNames> ParseCertificate(std::string_view der) {
  // RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }.
  DerReader outer(der);
  std::string_view certificate, tbs, issuer, validity, subject;
  if (!outer.Read(kSequence, certificate)) return Error{"certificate is not DER"};
  DerReader top(certificate);
  if (!top.Read(kSequence, tbs)) return Error{"certificate has no TBSCertificate"};
  DerReader fields(tbs);
  if (fields.PeekTag() == kVersion && !fields.Skip()) return Error{"malformed certificate version"};
  // serialNumber, signature AlgorithmIdentifier, issuer.
  if (!fields.Skip() || !fields.Skip() || !fields.Read(kSequence, issuer)) {
    return Error{"malformed certificate header"};
  }
  CertificateNames names;
  if (!fields.Read(kSequence, validity)) return Error{"certificate has no validity"};
  DerReader times(validity);
  names.not_before = ReadTime(times);
  names.not_after = ReadTime(times);
  if (names.not_before.empty() || names.not_after.empty()) {
    return Error{"malformed certificate validity"};
  }
  if (!fields.Read(kSequence, subject) || !ReadCommonName(subject, names.common_name)) {
    return Error{"malformed certificate subject"};
  }
  // subjectPublicKeyInfo, then the optional unique identifiers [1] and [2], then [3] extensions.
  if (!fields.Skip()) return Error{"certificate has no public key"};
  while (!fields.empty()) {
    std::string_view content;
    unsigned char tag = fields.PeekTag();
    if (!fields.Read(tag, content)) return Error{"malformed certificate field"};
    if (tag == kExtensions && !ReadExtensions(content, names)) {
      return Error{"malformed certificate extensions"};
    }
  }
  return names;
}

bool DnsNameMatches(std::string_view pattern_text, std::string_view host_text) {
  std::string pattern = StripDot(pattern_text), host = StripDot(host_text);
  if (pattern.empty() || host.empty()) return false;
  if (!pattern.starts_with("*.")) return EqualsIgnoreCase(pattern, host);
  // RFC 6125 6.4.3: the wildcard is the whole leftmost label and stands for exactly one label.
  std::string_view rest = std::string_view(pattern).substr(1);  // ".example.com"
  if (rest.find('.', 1) == std::string_view::npos) return false;
  if (host.size() <= rest.size()) return false;
  std::string_view label = std::string_view(host).substr(0, host.size() - rest.size());
  return label.find('.') == std::string_view::npos &&
         EqualsIgnoreCase(std::string_view(host).substr(label.size()), rest);
}

bool CertificateIsFor(const CertificateNames& names, std::string_view host) {
  if (std::optional<IpAddress> ip = ParseIpAddress(host)) {
    return std::find(names.ip_addresses.begin(), names.ip_addresses.end(), *ip) !=
           names.ip_addresses.end();
  }
  if (names.dns_names.empty()) return DnsNameMatches(names.common_name, host);
  return std::any_of(names.dns_names.begin(), names.dns_names.end(),
                     [&](const std::string& name) { return DnsNameMatches(name, host); });
}

std::string ListNames(const CertificateNames& names) {
  std::vector<std::string> all;
  // The names come from the server: printable and short, and not hundreds of them in one line.
  for (const std::string& name : names.dns_names) all.push_back(Printable(name, 100));
  for (const IpAddress& ip : names.ip_addresses) {
    char text[INET6_ADDRSTRLEN] = "";
    inet_ntop(ip.family, ip.bytes.data(), text, sizeof text);
    all.emplace_back(text);
  }
  if (all.empty() && !names.common_name.empty()) all.push_back(Printable(names.common_name, 100));
  if (all.empty()) return "no name";
  constexpr size_t kMaxListed = 5;
  std::string more;
  if (all.size() > kMaxListed) {
    more = fmt::format(" and {} more", all.size() - kMaxListed);
    all.resize(kMaxListed);
  }
  return fmt::format("{}{}", fmt::join(all, ", "), more);
}

std::string ValidityProblem(const CertificateNames& names, std::string_view now) {
  if (now > names.not_after) {
    return fmt::format("certificate has expired (on {})", FormatTime(names.not_after));
  }
  if (now < names.not_before) {
    return fmt::format("certificate is not yet valid (from {})", FormatTime(names.not_before));
  }
  return {};
}

}  // namespace linger
