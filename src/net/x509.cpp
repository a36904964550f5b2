#include "net/x509.h"

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
constexpr unsigned char kPermitted = 0xa0;     // NameConstraints [0] IMPLICIT GeneralSubtrees
constexpr unsigned char kExcluded = 0xa1;      // NameConstraints [1] IMPLICIT GeneralSubtrees

// OID contents (RFC 5280 4.2.1, X.520): subjectAltName 2.5.29.17, nameConstraints 2.5.29.30,
// extKeyUsage 2.5.29.37, anyExtendedKeyUsage 2.5.29.37.0, id-kp-serverAuth 1.3.6.1.5.5.7.3.1,
// commonName 2.5.4.3.
constexpr std::string_view kSubjectAltName = "\x55\x1d\x11";
constexpr std::string_view kNameConstraints = "\x55\x1d\x1e";
constexpr std::string_view kExtKeyUsage = "\x55\x1d\x25";
constexpr std::string_view kAnyExtendedKeyUsage = std::string_view("\x55\x1d\x25\x00", 4);
constexpr std::string_view kServerAuth = "\x2b\x06\x01\x05\x05\x07\x03\x01";
constexpr std::string_view kCommonName = "\x55\x04\x03";

// Reads DER elements one after the other from a byte string.
class DerReader {
 public:
  explicit DerReader(std::string_view data) : data_(data) {}

  bool empty() const { return data_.empty(); }
  // The tag of the next element, 0 at the end.
  unsigned char PeekTag() const { return data_.empty() ? 0 : static_cast<unsigned char>(data_[0]); }

  // Reads the next element, which must have `tag`, into `content`, and into `whole` with its tag
  // and length when given. Single-byte tags and definite lengths only, as DER requires.
  bool Read(unsigned char tag, std::string_view& content, std::string_view* whole = nullptr) {
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
    if (whole != nullptr) *whole = data_.substr(0, header + length);
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
bool ReadAltNames(std::string_view value, Certificate& names) {
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

// GeneralSubtrees: SEQUENCE OF SEQUENCE { base GeneralName, minimum, maximum }. The dNSName and
// iPAddress bases are kept; minimum and maximum are never used in practice (RFC 5280 forbids
// them) and are ignored. An iPAddress base is an address and a mask of its size, 8 or 32 bytes.
bool ReadSubtrees(std::string_view list, NameSubtrees& subtrees) {
  DerReader entries(list);
  while (!entries.empty()) {
    std::string_view subtree, base;
    if (!entries.Read(kSequence, subtree)) return false;
    DerReader parts(subtree);
    unsigned char tag = parts.PeekTag();
    if (!parts.Read(tag, base)) return false;
    if (tag == kSanDnsName) {
      subtrees.dns_names.emplace_back(base);
    } else if (tag == kSanIpAddress && (base.size() == 8 || base.size() == 32)) {
      size_t size = base.size() / 2;
      IpRange range;
      range.address.family = size == 4 ? AF_INET : AF_INET6;
      std::memcpy(range.address.bytes.data(), base.data(), size);
      std::memcpy(range.mask.data(), base.data() + size, size);
      subtrees.ip_ranges.push_back(range);
    } else if (tag == kSanIpAddress) {
      return false;
    }
  }
  return true;
}

bool ReadNameConstraints(std::string_view value, Certificate& names) {
  DerReader outer(value);
  std::string_view constraints;
  if (!outer.Read(kSequence, constraints) || !outer.empty()) return false;
  DerReader parts(constraints);
  std::string_view list;
  if (parts.PeekTag() == kPermitted &&
      (!parts.Read(kPermitted, list) || !ReadSubtrees(list, names.permitted))) {
    return false;
  }
  if (parts.PeekTag() == kExcluded &&
      (!parts.Read(kExcluded, list) || !ReadSubtrees(list, names.excluded))) {
    return false;
  }
  return parts.empty();
}

// ExtKeyUsageSyntax: SEQUENCE OF KeyPurposeId (an OID).
bool ReadExtKeyUsage(std::string_view value, Certificate& names) {
  DerReader outer(value);
  std::string_view list;
  if (!outer.Read(kSequence, list)) return false;
  DerReader purposes(list);
  names.server_auth = false;
  while (!purposes.empty()) {
    std::string_view oid;
    if (!purposes.Read(kOid, oid)) return false;
    if (oid == kServerAuth || oid == kAnyExtendedKeyUsage) names.server_auth = true;
  }
  return true;
}

bool ReadExtensions(std::string_view explicit_tag, Certificate& names) {
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
    bool ok = true;
    if (oid == kSubjectAltName) ok = ReadAltNames(value, names);
    if (oid == kNameConstraints) ok = ReadNameConstraints(value, names);
    if (oid == kExtKeyUsage) ok = ReadExtKeyUsage(value, names);
    if (!ok) return false;
  }
  return true;
}

// True when `name` lies in the dNSName subtree `base` (RFC 5280 4.2.1.10): `base` itself or a
// name with labels added on the left; a base with a leading dot, as some CAs write it, only the
// names below it; an empty base, every name.
bool DnsNameWithin(std::string_view name_text, std::string_view base_text) {
  std::string_view name = WithoutFinalDot(name_text), base = WithoutFinalDot(base_text);
  if (base.empty()) return true;
  if (name.size() < base.size()) return false;
  std::string_view tail = std::string_view(name).substr(name.size() - base.size());
  if (!EqualsIgnoreCase(tail, base)) return false;
  if (base.starts_with('.')) return name.size() > base.size();
  return name.size() == base.size() || name[name.size() - base.size() - 1] == '.';
}

// True when the excluded subtree `base` covers `name`, or a name the wildcard `name` stands for.
bool DnsNameExcluded(std::string_view name, std::string_view base) {
  if (DnsNameWithin(name, base)) return true;
  std::string_view plain = base.starts_with('.') ? base.substr(1) : base;
  return name.starts_with("*.") && DnsNameMatches(name, plain);
}

bool AddressWithin(const IpAddress& ip, const IpRange& range) {
  if (ip.family != range.address.family) return false;
  size_t size = ip.family == AF_INET ? 4 : 16;
  for (size_t i = 0; i < size; ++i) {
    if ((ip.bytes[i] & range.mask[i]) != (range.address.bytes[i] & range.mask[i])) return false;
  }
  return true;
}

// "20240131120000" as "2024-01-31 12:00:00 UTC".
std::string FormatTime(std::string_view t) {
  return fmt::format("{}-{}-{} {}:{}:{} UTC", t.substr(0, 4), t.substr(4, 2), t.substr(6, 2),
                     t.substr(8, 2), t.substr(10, 2), t.substr(12, 2));
}

}  // namespace

Result<Certificate> ParseCertificate(std::string_view der) {
  // RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }.
  DerReader outer(der);
  std::string_view certificate, tbs, issuer, validity, subject, issuer_whole, subject_whole;
  if (!outer.Read(kSequence, certificate)) return Error::Invalid("certificate is not DER");
  DerReader top(certificate);
  if (!top.Read(kSequence, tbs)) return Error::Invalid("certificate has no TBSCertificate");
  DerReader fields(tbs);
  if (fields.PeekTag() == kVersion && !fields.Skip())
    return Error::Invalid("malformed certificate version");
  // serialNumber, signature AlgorithmIdentifier, issuer.
  if (!fields.Skip() || !fields.Skip() || !fields.Read(kSequence, issuer, &issuer_whole)) {
    return Error::Invalid("malformed certificate header");
  }
  Certificate names;
  names.issuer = issuer_whole;
  if (!fields.Read(kSequence, validity)) return Error::Invalid("certificate has no validity");
  DerReader times(validity);
  names.not_before = ReadTime(times);
  names.not_after = ReadTime(times);
  if (names.not_before.empty() || names.not_after.empty()) {
    return Error::Invalid("malformed certificate validity");
  }
  if (!fields.Read(kSequence, subject, &subject_whole) ||
      !ReadCommonName(subject, names.common_name)) {
    return Error::Invalid("malformed certificate subject");
  }
  names.subject = subject_whole;
  // subjectPublicKeyInfo, then the optional unique identifiers [1] and [2], then [3] extensions.
  if (!fields.Skip()) return Error::Invalid("certificate has no public key");
  while (!fields.empty()) {
    std::string_view content;
    unsigned char tag = fields.PeekTag();
    if (!fields.Read(tag, content)) return Error::Invalid("malformed certificate field");
    if (tag == kExtensions && !ReadExtensions(content, names)) {
      return Error::Invalid("malformed certificate extensions");
    }
  }
  return names;
}

bool DnsNameMatches(std::string_view pattern_text, std::string_view host_text) {
  std::string_view pattern = WithoutFinalDot(pattern_text), host = WithoutFinalDot(host_text);
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

bool CertificateIsFor(const Certificate& names, std::string_view host) {
  if (std::optional<IpAddress> ip = ParseIpAddress(host)) {
    return std::find(names.ip_addresses.begin(), names.ip_addresses.end(), *ip) !=
           names.ip_addresses.end();
  }
  if (names.dns_names.empty()) return DnsNameMatches(names.common_name, host);
  return std::any_of(names.dns_names.begin(), names.dns_names.end(),
                     [&](const std::string& name) { return DnsNameMatches(name, host); });
}

std::string ListNames(const Certificate& names) {
  std::vector<std::string> all;
  // The names come from the server: printable and short, and not hundreds of them in one line.
  // An empty dNSName (malformed, but a server can send it) names nothing.
  for (const std::string& name : names.dns_names) {
    if (!name.empty()) all.push_back(Printable(name, 100));
  }
  for (const IpAddress& ip : names.ip_addresses) all.push_back(FormatAddress(ip));
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

std::string NameMismatch(const Certificate& names, std::string_view host) {
  if (ParseIpAddress(host)) {
    auto same = [&](std::string_view name) {
      return EqualsIgnoreCase(WithoutFinalDot(name), host);
    };
    bool dns_name = std::any_of(names.dns_names.begin(), names.dns_names.end(), same);
    if (dns_name || (names.dns_names.empty() && same(names.common_name))) {
      return fmt::format("certificate has {} only as {}, and no IP address SAN for it", host,
                         dns_name ? "a DNS name" : "its common name");
    }
  }
  return fmt::format("certificate is for {}, not {}", ListNames(names), host);
}

Result<void> CheckNameConstraints(const Certificate& leaf, const Certificate& ca,
                                  std::string_view host) {
  std::vector<std::string> dns_names = leaf.dns_names;
  if (dns_names.empty() && !ParseIpAddress(host) && !leaf.common_name.empty()) {
    dns_names.push_back(leaf.common_name);
  }
  std::string who = ca.common_name.empty()
                        ? std::string("the issuing CA")
                        : fmt::format("CA \"{}\"", Printable(ca.common_name, 100));
  auto outside = [&](const std::string& name) {
    return Error{
        fmt::format("certificate name {} is outside the names permitted to {}", name, who)};
  };
  auto excluded = [&](const std::string& name) {
    return Error{fmt::format("certificate name {} is among the names excluded for {}", name, who)};
  };
  for (const std::string& name : dns_names) {
    auto within = [&](const std::string& base) { return DnsNameWithin(name, base); };
    auto barred = [&](const std::string& base) { return DnsNameExcluded(name, base); };
    const std::vector<std::string>& permitted = ca.permitted.dns_names;
    if (!permitted.empty() && std::none_of(permitted.begin(), permitted.end(), within)) {
      return outside(Printable(name, 100));
    }
    const std::vector<std::string>& banned = ca.excluded.dns_names;
    if (std::any_of(banned.begin(), banned.end(), barred)) return excluded(Printable(name, 100));
  }
  for (const IpAddress& ip : leaf.ip_addresses) {
    auto within = [&](const IpRange& range) { return AddressWithin(ip, range); };
    const std::vector<IpRange>& permitted = ca.permitted.ip_ranges;
    // Permitted ranges of the other family do not permit this one (RFC 5280 4.2.1.10).
    if (!permitted.empty() && std::none_of(permitted.begin(), permitted.end(), within)) {
      return outside(FormatAddress(ip));
    }
    const std::vector<IpRange>& banned = ca.excluded.ip_ranges;
    if (std::any_of(banned.begin(), banned.end(), within)) return excluded(FormatAddress(ip));
  }
  return {};
}

Result<void> CheckValidity(const Certificate& names, std::string_view now) {
  if (now > names.not_after) {
    return Error{fmt::format("certificate has expired (on {})", FormatTime(names.not_after))};
  }
  if (now < names.not_before) {
    return Error{
        fmt::format("certificate is not yet valid (from {})", FormatTime(names.not_before))};
  }
  return {};
}

}  // namespace linger
