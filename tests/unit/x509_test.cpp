#include "x509.h"

#include <string>

#include "catch.h"
#include "tls.h"

using linger::CertificateIsFor;
using linger::CertificateNames;
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

}  // namespace

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

  CertificateNames by_ip;
  by_ip.common_name = "10.0.0.1";
  CHECK_FALSE(CertificateIsFor(by_ip, "10.0.0.1"));  // an address is never matched as a name
}

TEST_CASE("validity problems say which bound was crossed, and when") {
  auto names = ParseCertificate(kCommonNameOnly);
  REQUIRE(names.ok());
  CHECK(linger::ValidityProblem(*names, "20250101000000").empty());
  CHECK(linger::ValidityProblem(*names, "20310101000000") ==
        "certificate has expired (on 2030-12-31 23:59:59 UTC)");
  CHECK(linger::ValidityProblem(*names, "20191231235959") ==
        "certificate is not yet valid (from 2020-01-02 03:04:05 UTC)");
}

TEST_CASE("server names in messages are printable, and a long list is cut") {
  CertificateNames names;
  names.dns_names = {"a\x1b[31m.example", "b", "c", "d", "e", "f", "g"};
  CHECK(linger::ListNames(names) == "a\\x1b[31m.example, b, c, d, e and 2 more");
  CHECK(linger::ListNames(CertificateNames{}) == "no name");
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
  CHECK(TlsErrorText(100) == "handshake failure (BearSSL error 100)");
}
