#include "peers.h"

#include "addresses.h"
#include "catch.h"

using linger::PeerList;
using test::Ip;

TEST_CASE("peer lists match addresses and networks of both families") {
  auto list = PeerList::Parse("10.0.3.17,10.0.0.0/24,fd00::/64,0.0.0.0/0x", "x");
  CHECK_FALSE(list.ok());
  list = PeerList::Parse("10.0.3.17,10.0.0.0/24,fd00::/64,172.16.0.0/12", "peer list");
  REQUIRE(list.ok());
  for (const char* in : {"10.0.3.17", "10.0.0.0", "10.0.0.255", "fd00::1", "fd00::ffff:1",
                         "172.31.255.255", "::ffff:10.0.3.17", "::ffff:10.0.0.9"}) {
    INFO(in);
    CHECK(list->Contains(Ip(in)));
  }
  for (const char* out : {"10.0.3.18", "10.0.1.0", "fd00:0:0:1::1", "fd01::", "172.32.0.0",
                          "::ffff:10.0.3.18", "::a00:311", "127.0.0.1", "::1"}) {
    INFO(out);
    CHECK_FALSE(list->Contains(Ip(out)));
  }
}

TEST_CASE("an IPv4-mapped entry matches plain IPv4 peers, and prefixes at the edges") {
  auto mapped = PeerList::Parse("::ffff:10.1.2.0/120", "peer list");
  REQUIRE(mapped.ok());
  CHECK(mapped->Contains(Ip("10.1.2.200")));
  CHECK(mapped->Contains(Ip("::ffff:10.1.2.3")));
  CHECK_FALSE(mapped->Contains(Ip("10.1.3.0")));
  auto all = PeerList::Parse("0.0.0.0/0,::/0", "peer list");
  REQUIRE(all.ok());
  CHECK(all->Contains(Ip("203.0.113.9")));
  CHECK(all->Contains(Ip("2001:db8::1")));
  auto odd = PeerList::Parse("10.0.0.128/25,2001:db8::/33", "peer list");
  REQUIRE(odd.ok());
  CHECK(odd->Contains(Ip("10.0.0.200")));
  CHECK_FALSE(odd->Contains(Ip("10.0.0.127")));
  CHECK(odd->Contains(Ip("2001:db8:7fff::1")));
  CHECK_FALSE(odd->Contains(Ip("2001:db8:8000::1")));
}

TEST_CASE("bad peer lists are refused with a message naming the list and the item") {
  const char* cases[] = {
      "",           ",",           "10.0.0.1,",   "10.0.0.0/",   "10.0.0.0/33",
      "fd00::/129", "10.0.0.1/24", "fd00::1/64",  "10.0.0.0/-1", "10.0.0.0/+8",
      "db",         "[::1]",       "10.0.0.0/ 8", "10.0.0.0 ",   "::ffff:1.2.3.0/64"};
  for (const char* text : cases) {
    INFO(text);
    auto list = PeerList::Parse(text, "--ignore-from");
    REQUIRE_FALSE(list.ok());
    CHECK(list.error().message.rfind(std::string("invalid --ignore-from '") + text + "'", 0) == 0);
  }
}
