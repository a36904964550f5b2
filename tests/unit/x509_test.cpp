#include "net/x509.h"

#include <string>

#include "catch.h"
#include "net/tls.h"

using linger::Certificate;
using linger::CertificateIsFor;
using linger::DnsNameMatches;
using linger::ParseCertificate;

namespace {

// Made with the openssl command line (self-signed, P-256): subject CN=legacy.example, valid from
// 2020-01-02 03:04:05 to 2099-12-31 23:59:59 (a GeneralizedTime), subjectAltName
// DNS:api.example.com, DNS:*.svc.example, IP:10.0.0.1, IP:fd00::1, email:a@b.c.
const std::string kWithSans(
    "\x30\x82\x01\x8d\x30\x82\x01\x34\xa0\x03\x02\x01\x02\x02\x01\x01\x30\x0a\x06\x08\x2a\x86\x48"
    "\xce"
    "\x3d\x04\x03\x02\x30\x19\x31\x17\x30\x15\x06\x03\x55\x04\x03\x0c\x0e\x6c\x65\x67\x61\x63\x79"
    "\x2e"
    "\x65\x78\x61\x6d\x70\x6c\x65\x30\x20\x17\x0d\x32\x30\x30\x31\x30\x32\x30\x33\x30\x34\x30\x35"
    "\x5a"
    "\x18\x0f\x32\x30\x39\x39\x31\x32\x33\x31\x32\x33\x35\x39\x35\x39\x5a\x30\x19\x31\x17\x30\x15"
    "\x06"
    "\x03\x55\x04\x03\x0c\x0e\x6c\x65\x67\x61\x63\x79\x2e\x65\x78\x61\x6d\x70\x6c\x65\x30\x59\x30"
    "\x13"
    "\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00\x04"
    "\x92"
    "\xa4\x5a\x66\xe7\x87\x0f\x40\x01\x5e\x16\x48\x2f\xac\x52\x10\x3e\x95\xb4\x6b\x07\x47\x19\x0c"
    "\x18"
    "\x22\xd7\x68\x74\x93\xae\xc3\xf3\x0c\xd8\xe9\x71\xaf\x00\x08\x0c\x06\x80\xd7\xe0\xf1\x8d\x5f"
    "\xb3"
    "\x99\xec\x2b\x99\x8e\xac\xdb\x2b\x24\x12\x07\x17\x23\xb2\xc7\xa3\x6b\x30\x69\x30\x48\x06\x03"
    "\x55"
    "\x1d\x11\x04\x41\x30\x3f\x82\x0f\x61\x70\x69\x2e\x65\x78\x61\x6d\x70\x6c\x65\x2e\x63\x6f\x6d"
    "\x82"
    "\x0d\x2a\x2e\x73\x76\x63\x2e\x65\x78\x61\x6d\x70\x6c\x65\x87\x04\x0a\x00\x00\x01\x87\x10\xfd"
    "\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x81\x05\x61\x40\x62\x2e\x63\x30\x1d"
    "\x06"
    "\x03\x55\x1d\x0e\x04\x16\x04\x14\x79\xf7\x90\x21\xa6\x04\x7e\xa9\xa3\x86\x9b\x8a\xfe\xac\xf9"
    "\xaf"
    "\x86\x5b\x97\xcb\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02\x03\x47\x00\x30\x44\x02\x20"
    "\x58"
    "\xfc\x26\xaa\xc2\xa5\xa6\x83\xcd\x7b\x2e\x1e\x69\xa9\x40\x60\x75\xc1\xd5\xd8\x10\xd5\x2f\x50"
    "\x96"
    "\xb5\xb4\x08\x71\x70\xf4\x61\x02\x20\x2b\x5f\x11\xd2\xdf\x49\x7d\xdc\x53\x99\x6d\x4c\x89\x6f"
    "\xd6"
    "\x50\xed\x09\xb0\xea\x26\xb5\xbe\x5b\x85\xfd\x04\x7b\x2c\xf1\x50\xf3",
    401);

// The same key and subject with no extensions, valid from 2020-01-02 03:04:05 to 2030-12-31
// 23:59:59 (UTCTimes).
const std::string kCommonNameOnly(
    "\x30\x82\x01\x19\x30\x81\xc0\x02\x01\x02\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02\x30"
    "\x19"
    "\x31\x17\x30\x15\x06\x03\x55\x04\x03\x0c\x0e\x6c\x65\x67\x61\x63\x79\x2e\x65\x78\x61\x6d\x70"
    "\x6c"
    "\x65\x30\x1e\x17\x0d\x32\x30\x30\x31\x30\x32\x30\x33\x30\x34\x30\x35\x5a\x17\x0d\x33\x30\x31"
    "\x32"
    "\x33\x31\x32\x33\x35\x39\x35\x39\x5a\x30\x19\x31\x17\x30\x15\x06\x03\x55\x04\x03\x0c\x0e\x6c"
    "\x65"
    "\x67\x61\x63\x79\x2e\x65\x78\x61\x6d\x70\x6c\x65\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d"
    "\x02"
    "\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00\x04\x92\xa4\x5a\x66\xe7\x87\x0f\x40"
    "\x01"
    "\x5e\x16\x48\x2f\xac\x52\x10\x3e\x95\xb4\x6b\x07\x47\x19\x0c\x18\x22\xd7\x68\x74\x93\xae\xc3"
    "\xf3"
    "\x0c\xd8\xe9\x71\xaf\x00\x08\x0c\x06\x80\xd7\xe0\xf1\x8d\x5f\xb3\x99\xec\x2b\x99\x8e\xac\xdb"
    "\x2b"
    "\x24\x12\x07\x17\x23\xb2\xc7\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02\x03\x48\x00\x30"
    "\x45"
    "\x02\x20\x34\x00\xaf\x14\x11\xf2\x20\x6b\xc9\xbf\x8b\x0c\x85\x23\xd9\xb9\x6b\x35\x23\xf6\x14"
    "\x08"
    "\x67\x05\xa8\xfb\x82\x11\x97\x03\x1c\x03\x02\x21\x00\xf8\x06\xc5\xab\x4e\x19\x16\x88\xd5\xa6"
    "\xe4"
    "\xd0\xeb\x75\xbb\x5b\x3a\x69\x51\x78\xe9\xec\x0f\xe6\xe9\xb6\x8f\x1c\xc5\xe8\x3a\x09",
    285);

// An intermediate CA (P-256, subject CN=constrained, O=test), nameConstraints: permitted
// DNS:example.org and IP:10.0.0.0/255.0.0.0, excluded DNS:secret.example.org.
const std::string kConstrainedCa(
    "\x30\x82\x01\xdc\x30\x82\x01\x81\xa0\x03\x02\x01\x02\x02\x14\x2d\x94\x67\x2f\xfc\x11\x22\xfa"
    "\xc7\x76\x44\x1b\xd8\x99\x7d\x51\x0f\xcf\x65\xea\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03"
    "\x02\x30\x0f\x31\x0d\x30\x0b\x06\x03\x55\x04\x03\x0c\x04\x74\x20\x63\x61\x30\x1e\x17\x0d\x32"
    "\x36\x31\x32\x30\x37\x31\x31\x32\x31\x34\x35\x5a\x17\x0d\x33\x36\x31\x32\x30\x34\x31\x31\x32"
    "\x31\x34\x35\x5a\x30\x25\x31\x14\x30\x12\x06\x03\x55\x04\x03\x0c\x0b\x63\x6f\x6e\x73\x74\x72"
    "\x61\x69\x6e\x65\x64\x31\x0d\x30\x0b\x06\x03\x55\x04\x0a\x0c\x04\x74\x65\x73\x74\x30\x59\x30"
    "\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00"
    "\x04\xc5\xcd\x83\x18\x4f\xd9\x0f\xea\x64\x73\xa0\x15\x96\x9a\xef\xa2\xb7\x94\xec\x3d\x94\x95"
    "\xc8\x93\x31\x2e\xf8\xe1\xe3\x48\xed\x97\x49\xb9\x93\x7a\xe8\x12\xc4\x7e\x82\xe2\x59\x39\x47"
    "\x38\xce\xce\x0c\xec\xdc\x9c\xaa\x63\x2c\x04\x7d\xaa\x34\x95\xbc\x67\x67\xff\xa3\x81\xa4\x30"
    "\x81\xa1\x30\x0f\x06\x03\x55\x1d\x13\x01\x01\xff\x04\x05\x30\x03\x01\x01\xff\x30\x0e\x06\x03"
    "\x55\x1d\x0f\x01\x01\xff\x04\x04\x03\x02\x02\x04\x30\x3e\x06\x03\x55\x1d\x1e\x04\x37\x30\x35"
    "\xa0\x1b\x30\x0d\x82\x0b\x65\x78\x61\x6d\x70\x6c\x65\x2e\x6f\x72\x67\x30\x0a\x87\x08\x0a\x00"
    "\x00\x00\xff\x00\x00\x00\xa1\x16\x30\x14\x82\x12\x73\x65\x63\x72\x65\x74\x2e\x65\x78\x61\x6d"
    "\x70\x6c\x65\x2e\x6f\x72\x67\x30\x1d\x06\x03\x55\x1d\x0e\x04\x16\x04\x14\x93\x9f\xd0\x67\xf2"
    "\x7e\x98\x58\x67\x48\x4f\x26\xa6\xd0\xb1\xcf\xd0\xe0\x5d\xf5\x30\x1f\x06\x03\x55\x1d\x23\x04"
    "\x18\x30\x16\x80\x14\xe4\x2b\xbc\x94\xf8\x5d\x84\x88\x7b\xfd\x55\x59\x39\x7a\xb9\x0d\x72\x8e"
    "\x1c\x98\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02\x03\x49\x00\x30\x46\x02\x21\x00\xc3"
    "\xa4\x0e\x21\x73\xac\x00\x7c\x8b\x19\xa7\xdf\x7a\x3f\xbc\x90\x55\x61\xbf\x18\xf4\x6d\xbf\x85"
    "\x91\x19\x72\xd7\xb1\x62\xa2\x95\x02\x21\x00\xbc\x7b\x92\x53\x9f\x12\xd6\xc6\xa3\x2d\xc5\x4e"
    "\xb6\x62\x48\x36\x1e\xd7\xd1\x91\x1e\x95\x3a\x49\x35\xdf\xea\x11\x6b\x4c\x30\x35",
    480);

// Issued by kConstrainedCa: subjectAltName DNS:a.example.org, DNS:*.b.example.org, IP:10.1.2.3,
// IP:fd00::1, email:a@b.c; extendedKeyUsage clientAuth, serverAuth.
const std::string kConstrainedLeaf(
    "\x30\x82\x01\xe8\x30\x82\x01\x8e\xa0\x03\x02\x01\x02\x02\x14\x06\x04\x9d\x14\xd8\x7c\x90\x37"
    "\xe8\x55\xe8\x3a\xfa\xec\xaa\x53\x2c\x9a\xb3\xf8\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03"
    "\x02\x30\x25\x31\x14\x30\x12\x06\x03\x55\x04\x03\x0c\x0b\x63\x6f\x6e\x73\x74\x72\x61\x69\x6e"
    "\x65\x64\x31\x0d\x30\x0b\x06\x03\x55\x04\x0a\x0c\x04\x74\x65\x73\x74\x30\x1e\x17\x0d\x32\x36"
    "\x31\x32\x30\x37\x31\x31\x32\x31\x34\x35\x5a\x17\x0d\x33\x36\x31\x32\x30\x34\x31\x31\x32\x31"
    "\x34\x35\x5a\x30\x14\x31\x12\x30\x10\x06\x03\x55\x04\x03\x0c\x09\x6c\x6f\x63\x61\x6c\x68\x6f"
    "\x73\x74\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03"
    "\x01\x07\x03\x42\x00\x04\x4b\x3d\xc7\x21\x4a\x0d\x67\x24\x5b\x10\xba\x6d\x14\x61\x18\x19\x6c"
    "\xba\xed\xb8\x97\x24\x5e\xce\x85\x59\x88\xcf\x8e\x34\xe8\xd0\x5e\x36\x7b\x31\xb7\x27\x04\x6f"
    "\xc2\x14\xa1\x2f\x0a\x2f\x63\x27\x0d\xd4\x01\xaa\xcf\x22\x6e\x52\x28\x36\x52\x78\xb6\xa3\xf6"
    "\x66\xa3\x81\xac\x30\x81\xa9\x30\x48\x06\x03\x55\x1d\x11\x04\x41\x30\x3f\x82\x0d\x61\x2e\x65"
    "\x78\x61\x6d\x70\x6c\x65\x2e\x6f\x72\x67\x82\x0f\x2a\x2e\x62\x2e\x65\x78\x61\x6d\x70\x6c\x65"
    "\x2e\x6f\x72\x67\x87\x04\x0a\x01\x02\x03\x87\x10\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x01\x81\x05\x61\x40\x62\x2e\x63\x30\x1d\x06\x03\x55\x1d\x25\x04\x16\x30\x14"
    "\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x02\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x01\x30\x1d\x06"
    "\x03\x55\x1d\x0e\x04\x16\x04\x14\x5c\x0f\x39\x7f\xa6\x8d\x78\x48\x77\x73\xfa\x9e\x0f\xb1\xdb"
    "\x92\xbb\xf3\xf4\xb5\x30\x1f\x06\x03\x55\x1d\x23\x04\x18\x30\x16\x80\x14\x93\x9f\xd0\x67\xf2"
    "\x7e\x98\x58\x67\x48\x4f\x26\xa6\xd0\xb1\xcf\xd0\xe0\x5d\xf5\x30\x0a\x06\x08\x2a\x86\x48\xce"
    "\x3d\x04\x03\x02\x03\x48\x00\x30\x45\x02\x20\x32\x22\x44\x14\x62\xee\xb7\x56\xf3\x93\x4e\x68"
    "\x19\x59\xef\xec\xc1\xc6\x96\x29\x86\x9d\xf1\xe5\x3c\xe9\x2f\xf5\x58\x61\x9a\x50\x02\x21\x00"
    "\xf8\xd2\xe7\x60\x20\x6f\x18\x80\x53\x4e\x1f\x18\xa1\xa7\x51\x68\x55\x8f\xf7\x04\xfa\xd2\x99"
    "\xc6\x7d\x15\xaf\x72\xf3\xed\x9a\x79",
    492);

}  // namespace

// What a check refused, "" when it allowed: the messages are part of what is tested.
std::string Problem(const linger::Result<void>& checked) {
  return checked.ok() ? std::string() : checked.error().message;
}

TEST_CASE("a certificate's names and validity are read from its DER") {
  auto names = ParseCertificate(kWithSans);
  REQUIRE(names.ok());
  CHECK(names->dns_names == std::vector<std::string>{"api.example.com", "*.svc.example"});
  REQUIRE(names->ip_addresses.size() == 2);
  CHECK(names->ip_addresses[0] == *linger::ParseIpAddress("10.0.0.1"));
  CHECK(names->ip_addresses[1] == *linger::ParseIpAddress("fd00::1"));
  CHECK(names->common_name == "legacy.example");
  CHECK(names->not_before == "20200102030405");
  CHECK(names->not_after == "20991231235959");
  CHECK(linger::ListNames(*names) == "api.example.com, *.svc.example, 10.0.0.1, fd00::1");

  auto legacy = ParseCertificate(kCommonNameOnly);
  REQUIRE(legacy.ok());
  CHECK(legacy->dns_names.empty());
  CHECK(legacy->not_after == "20301231235959");
  CHECK(linger::ListNames(*legacy) == "legacy.example");
}

TEST_CASE("name constraints, extended key usage and the chain's Names are read from DER") {
  auto ca = ParseCertificate(kConstrainedCa);
  REQUIRE(ca.ok());
  CHECK(ca->permitted.dns_names == std::vector<std::string>{"example.org"});
  REQUIRE(ca->permitted.ip_ranges.size() == 1);
  CHECK(ca->permitted.ip_ranges[0].address == *linger::ParseIpAddress("10.0.0.0"));
  CHECK(ca->permitted.ip_ranges[0].mask[0] == 255);
  CHECK(ca->permitted.ip_ranges[0].mask[1] == 0);
  CHECK(ca->excluded.dns_names == std::vector<std::string>{"secret.example.org"});
  CHECK(ca->excluded.ip_ranges.empty());
  CHECK(ca->server_auth);  // no extendedKeyUsage at all

  auto leaf = ParseCertificate(kConstrainedLeaf);
  REQUIRE(leaf.ok());
  CHECK(leaf->server_auth);
  CHECK(leaf->issuer == ca->subject);
  CHECK(leaf->subject != ca->subject);
  CHECK(leaf->permitted.empty());
  // Its IPv6 address is outside the only permitted range, which is IPv4.
  CHECK(Problem(linger::CheckNameConstraints(*leaf, *ca, "a.example.org")) ==
        "certificate name fd00::1 is outside the names permitted to CA \"constrained\"");
  for (size_t size = 0; size < kConstrainedCa.size(); ++size) {
    CHECK_FALSE(ParseCertificate(kConstrainedCa.substr(0, size)).ok());
  }
}

TEST_CASE("truncated or garbled DER is an error, never a crash") {
  for (size_t size = 0; size < kWithSans.size(); ++size) {
    CHECK_FALSE(ParseCertificate(kWithSans.substr(0, size)).ok());
  }
  CHECK_FALSE(ParseCertificate("not DER at all").ok());
  std::string long_length = "\x30\x84\xff\xff\xff\xff";
  CHECK_FALSE(ParseCertificate(long_length).ok());
}

TEST_CASE("a name matches a certificate's DNS names, with one-label wildcards") {
  CHECK(DnsNameMatches("api.example.com", "api.example.com"));
  CHECK(DnsNameMatches("API.Example.com", "api.EXAMPLE.com."));
  CHECK(DnsNameMatches("*.svc.example", "db.svc.example"));
  CHECK(DnsNameMatches("*.svc.example", "DB.SVC.example."));
  CHECK_FALSE(DnsNameMatches("*.svc.example", "svc.example"));
  CHECK_FALSE(DnsNameMatches("*.svc.example", "a.db.svc.example"));
  CHECK_FALSE(DnsNameMatches("*.svc.example", ".svc.example"));
  CHECK_FALSE(DnsNameMatches("*.com", "example.com"));
  CHECK_FALSE(DnsNameMatches("db*.svc.example", "db1.svc.example"));
  CHECK_FALSE(DnsNameMatches("api.example.com", "api.example.co"));
  CHECK_FALSE(DnsNameMatches("", ""));
}

TEST_CASE("an IP host matches only IP SANs, a name without DNS SANs falls back to the CN") {
  auto names = ParseCertificate(kWithSans);
  REQUIRE(names.ok());
  CHECK(CertificateIsFor(*names, "api.example.com"));
  CHECK(CertificateIsFor(*names, "redis.svc.example"));
  CHECK(CertificateIsFor(*names, "10.0.0.1"));
  CHECK(CertificateIsFor(*names, "fd00::1"));
  CHECK(CertificateIsFor(*names, "FD00:0::1"));
  CHECK_FALSE(CertificateIsFor(*names, "10.0.0.2"));
  CHECK_FALSE(CertificateIsFor(*names, "legacy.example"));  // SANs present: the CN does not count
  CHECK_FALSE(CertificateIsFor(*names, "example.com"));

  auto legacy = ParseCertificate(kCommonNameOnly);
  REQUIRE(legacy.ok());
  CHECK(CertificateIsFor(*legacy, "legacy.example"));
  CHECK_FALSE(CertificateIsFor(*legacy, "10.0.0.1"));

  Certificate by_ip;
  by_ip.common_name = "10.0.0.1";
  CHECK_FALSE(CertificateIsFor(by_ip, "10.0.0.1"));  // an address is never matched as a name
}

TEST_CASE("validity problems say which bound was crossed, and when") {
  auto names = ParseCertificate(kCommonNameOnly);
  REQUIRE(names.ok());
  CHECK(Problem(linger::CheckValidity(*names, "20250101000000")).empty());
  CHECK(Problem(linger::CheckValidity(*names, "20310101000000")) ==
        "certificate has expired (on 2030-12-31 23:59:59 UTC)");
  CHECK(Problem(linger::CheckValidity(*names, "20191231235959")) ==
        "certificate is not yet valid (from 2020-01-02 03:04:05 UTC)");
}

TEST_CASE("server names in messages are printable, and a long list is cut") {
  Certificate names;
  names.dns_names = {"a\x1b[31m.example", "b", "c", "d", "e", "f", "g"};
  CHECK(linger::ListNames(names) == "a\\x1b[31m.example, b, c, d, e and 2 more");
  CHECK(linger::ListNames(Certificate{}) == "no name");
  Certificate empty_san;
  empty_san.dns_names = {""};
  CHECK(linger::ListNames(empty_san) == "no name");
}

TEST_CASE("the trust store is --cacert, else $SSL_CERT_FILE, else the system bundle") {
  using linger::ChooseTrustStore;
  CHECK(ChooseTrustStore("/ca.pem", "/env.pem").path == "/ca.pem");
  CHECK(ChooseTrustStore("/ca.pem", "/env.pem").origin == "--cacert");
  CHECK(ChooseTrustStore("", "/env.pem").path == "/env.pem");
  CHECK(ChooseTrustStore("", "/env.pem").origin == "$SSL_CERT_FILE");
  CHECK(ChooseTrustStore("", "").path == linger::kSystemCaBundle);
  CHECK(ChooseTrustStore("", std::nullopt).path == linger::kSystemCaBundle);
  CHECK(ChooseTrustStore("", std::nullopt).origin.empty());
}

TEST_CASE("TLS errors are worded for people") {
  using linger::TlsErrorText;
  CHECK(TlsErrorText(256 + 40) ==
        "handshake failure: the server sent alert handshake_failure (40)");
  CHECK(TlsErrorText(256 + 70).find("protocol version refused") == 0);
  CHECK(TlsErrorText(3).find("protocol version refused") == 0);  // BR_ERR_UNSUPPORTED_VERSION
  CHECK(TlsErrorText(62) == "unknown certificate authority");    // BR_ERR_X509_NOT_TRUSTED
  CHECK(TlsErrorText(512 + 80) == "linger sent alert internal_error (80)");
  CHECK(TlsErrorText(100) == "handshake failure (TLS error 100)");
  // Every certificate failure has words; no number is left for a person to look up.
  for (int error = 33; error <= 62; ++error) {
    if (error == 61) continue;  // no such code
    INFO(error);
    CHECK(TlsErrorText(error).find("error") == std::string::npos);
  }
}

TEST_CASE("an address that a certificate has only as a DNS name is told apart") {
  Certificate names;
  names.dns_names = {"127.0.0.1"};
  CHECK(linger::NameMismatch(names, "127.0.0.1") ==
        "certificate has 127.0.0.1 only as a DNS name, and no IP address SAN for it");
  Certificate legacy;
  legacy.common_name = "10.0.0.1";
  CHECK(linger::NameMismatch(legacy, "10.0.0.1") ==
        "certificate has 10.0.0.1 only as its common name, and no IP address SAN for it");
  CHECK(linger::NameMismatch(names, "10.0.0.2") == "certificate is for 127.0.0.1, not 10.0.0.2");
}

TEST_CASE("name constraints of a CA bound the names of the certificates below it") {
  Certificate ca;
  ca.common_name = "sub";
  ca.permitted.dns_names = {"example.org"};
  Certificate leaf;
  leaf.dns_names = {"a.example.org", "example.org", "*.b.EXAMPLE.org."};
  CHECK(Problem(linger::CheckNameConstraints(leaf, ca, "a.example.org")).empty());
  leaf.dns_names.push_back("a.example.com");
  CHECK(Problem(linger::CheckNameConstraints(leaf, ca, "a.example.org")) ==
        "certificate name a.example.com is outside the names permitted to CA \"sub\"");
  leaf.dns_names = {"badexample.org"};  // a suffix of the text, not of the labels
  CHECK_FALSE(Problem(linger::CheckNameConstraints(leaf, ca, "badexample.org")).empty());

  // A base with a leading dot: only the names below it.
  ca.permitted.dns_names = {".example.org"};
  leaf.dns_names = {"a.example.org"};
  CHECK(Problem(linger::CheckNameConstraints(leaf, ca, "a.example.org")).empty());
  leaf.dns_names = {"example.org"};
  CHECK_FALSE(Problem(linger::CheckNameConstraints(leaf, ca, "example.org")).empty());

  // Excluded subtrees, also against a wildcard that could stand for an excluded name.
  ca.permitted = {};
  ca.excluded.dns_names = {"secret.example.org"};
  leaf.dns_names = {"a.secret.example.org"};
  CHECK(Problem(linger::CheckNameConstraints(leaf, ca, "x")) ==
        "certificate name a.secret.example.org is among the names excluded for CA \"sub\"");
  leaf.dns_names = {"*.example.org"};
  CHECK_FALSE(Problem(linger::CheckNameConstraints(leaf, ca, "x")).empty());
  leaf.dns_names = {"public.example.org"};
  CHECK(Problem(linger::CheckNameConstraints(leaf, ca, "x")).empty());

  // The common name stands in for absent DNS SANs when a name is checked, not for an address.
  ca.excluded = {};
  ca.permitted.dns_names = {"example.org"};
  Certificate legacy;
  legacy.common_name = "db.example.com";
  CHECK_FALSE(Problem(linger::CheckNameConstraints(legacy, ca, "db.example.com")).empty());
  CHECK(Problem(linger::CheckNameConstraints(legacy, ca, "10.0.0.1")).empty());

  // iPAddress ranges: an address and a mask; a range of one family permits none of the other.
  linger::IpRange ten;
  ten.address = *linger::ParseIpAddress("10.0.0.0");
  ten.mask = {255, 0, 0, 0};
  ca.permitted = {};
  ca.permitted.ip_ranges = {ten};
  Certificate by_ip;
  by_ip.ip_addresses = {*linger::ParseIpAddress("10.1.2.3")};
  CHECK(Problem(linger::CheckNameConstraints(by_ip, ca, "10.1.2.3")).empty());
  by_ip.ip_addresses.push_back(*linger::ParseIpAddress("127.0.0.1"));
  CHECK(Problem(linger::CheckNameConstraints(by_ip, ca, "10.1.2.3")) ==
        "certificate name 127.0.0.1 is outside the names permitted to CA \"sub\"");
  by_ip.ip_addresses = {*linger::ParseIpAddress("::1")};
  CHECK_FALSE(Problem(linger::CheckNameConstraints(by_ip, ca, "::1")).empty());
  ca.permitted = {};
  ca.excluded.ip_ranges = {ten};
  by_ip.ip_addresses = {*linger::ParseIpAddress("10.9.9.9")};
  CHECK(Problem(linger::CheckNameConstraints(by_ip, ca, "10.9.9.9")) ==
        "certificate name 10.9.9.9 is among the names excluded for CA \"sub\"");
}

TEST_CASE("the path through a chain follows issuers, whatever order the server sent") {
  auto certificate = [](const char* subject, const char* issuer) {
    Certificate c;
    c.subject = subject;
    c.issuer = issuer;
    return c;
  };
  auto is_root = [](std::string_view name) { return name == "root"; };
  // As sent: the leaf, the root, an unrelated CA, the intermediate.
  std::vector<Certificate> chain = {certificate("leaf", "inter"), certificate("root", "root"),
                                    certificate("other", "other"), certificate("inter", "root")};
  CHECK(linger::ChainPath(chain, is_root) == std::vector<size_t>{0, 3});
  // No trusted issuer: as far as the chain leads, each certificate used once.
  auto nothing = [](std::string_view) { return false; };
  CHECK(linger::ChainPath(chain, nothing) == std::vector<size_t>{0, 3, 1});
  // Two CAs that name each other end, they do not loop.
  std::vector<Certificate> loop = {certificate("leaf", "a"), certificate("a", "b"),
                                   certificate("b", "a")};
  CHECK(linger::ChainPath(loop, nothing) == std::vector<size_t>{0, 1, 2});
  CHECK(linger::ChainPath({}, nothing).empty());
}
