#include "net/ip_address.h"

#include <utility>

#include "addresses.h"
#include "catch.h"
#include "socket_headers.h"

using linger::ParseIpAddress;
using test::Ip;

TEST_CASE("IP addresses parse and print as endpoints") {
  CHECK(ParseIpAddress("127.0.0.1")->family == AF_INET);
  CHECK(ParseIpAddress("::1")->family == AF_INET6);
  for (const char* bad : {"", "db", "1.2.3", "[::1]", "::1%lo", "1.2.3.4 "}) {
    CHECK_FALSE(ParseIpAddress(bad).has_value());
  }
  CHECK(linger::FormatEndpoint(Ip("10.0.0.1"), 8080) == "10.0.0.1:8080");
  CHECK(linger::FormatEndpoint(Ip("2001:db8::1"), 80) == "[2001:db8::1]:80");
}

TEST_CASE("addresses are written as RFC 5952 says") {
  const std::pair<const char*, const char*> cases[] = {
      {"10.0.3.17", "10.0.3.17"},
      {"::", "::"},
      {"::1", "::1"},
      {"::ffff:10.1.2.3", "::ffff:10.1.2.3"},
      {"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // the first of two equal runs
      {"2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"},      // the longest run
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // one zero group stays
      {"fe80:0000:0000:0000:0204:61ff:fe9d:f156", "fe80::204:61ff:fe9d:f156"},
  };
  for (auto [written, canonical] : cases) {
    INFO(written);
    std::optional<linger::IpAddress> address = linger::ParseIpAddress(written);
    REQUIRE(address.has_value());
    CHECK(linger::FormatAddress(*address) == canonical);
  }
  CHECK(linger::FormatEndpoint(*linger::ParseIpAddress("::1"), 8080) == "[::1]:8080");
  CHECK(linger::FormatEndpoint(*linger::ParseIpAddress("127.0.0.1"), 80) == "127.0.0.1:80");
}

TEST_CASE("an IPv4-mapped address stands for the IPv4 address it carries") {
  CHECK(linger::Unmapped(Ip("::ffff:1.2.3.4")) == Ip("1.2.3.4"));
  CHECK(linger::Unmapped(Ip("::1")) == Ip("::1"));
}
