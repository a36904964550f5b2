#include "net/dns.h"

#include "addresses.h"
#include "catch.h"

using linger::BuildDnsQuery;
using linger::IpAddress;
using linger::ParseDnsReply;
using linger::ParseIpAddress;
using test::Ip;

namespace {

// A reply to `query` (its header and question echoed) with `answers` appended.
std::string Reply(const std::string& query, int rcode, int count, const std::string& answers) {
  std::string reply = query;
  reply[2] = static_cast<char>(0x81);  // QR, RD
  reply[3] = static_cast<char>(0x80 | rcode);
  reply[7] = static_cast<char>(count);
  return reply + answers;
}

// One answer record owned by `owner` (wire form): type, class IN, TTL and data.
std::string Owned(const std::string& owner, int type, const std::string& data) {
  std::string fields = {0, static_cast<char>(type),       0, 1, 0, 0, 0, 60,
                        0, static_cast<char>(data.size())};
  return owner + fields + data;
}

// One answer record owned by the question's name (a compression pointer to it).
std::string Record(int type, const std::string& data) { return Owned("\xc0\x0c", type, data); }

// The four bytes of an IPv4 address, as an A record holds them.
std::string A(const char* text) {
  return std::string(reinterpret_cast<const char*>(Ip(text).bytes.data()), 4);
}

// A label in wire form: its length, then its bytes.
std::string Wire(const std::string& label) { return static_cast<char>(label.size()) + label; }

}  // namespace

TEST_CASE("addresses take turns by family, starting with the first one's") {
  auto interleaved = [](std::vector<const char*> texts) {
    std::vector<IpAddress> addresses;
    for (const char* text : texts) addresses.push_back(Ip(text));
    std::vector<std::string> order;
    for (const IpAddress& address : linger::InterleaveFamilies(addresses)) {
      order.push_back(linger::FormatEndpoint(address, 1));
    }
    return order;
  };
  using Order = std::vector<std::string>;
  CHECK(interleaved({"10.0.0.1", "10.0.0.2", "10.0.0.3", "::1", "::2"}) ==
        Order{"10.0.0.1:1", "[::1]:1", "10.0.0.2:1", "[::2]:1", "10.0.0.3:1"});
  CHECK(interleaved({"::1", "10.0.0.1", "::2", "::3"}) ==
        Order{"[::1]:1", "10.0.0.1:1", "[::2]:1", "[::3]:1"});
  CHECK(interleaved({"10.0.0.2", "10.0.0.1"}) == Order{"10.0.0.2:1", "10.0.0.1:1"});
  CHECK(interleaved({}).empty());
}

TEST_CASE("/etc/hosts gives every address of a name, any case, in file order") {
  const char* hosts =
      "# comment db\n"
      "127.0.0.1\tlocalhost\n"
      "::1 localhost ip6-localhost # trailing comment\n"
      "10.0.0.5   DB db.local   \n"
      "not-an-ip db\n"
      "10.0.0.6 db.\n"
      "  \n"
      "fe80::1%lo0 db\n";
  CHECK(linger::LookUpHosts(hosts, "db") == std::vector<IpAddress>{Ip("10.0.0.5"), Ip("10.0.0.6")});
  CHECK(linger::LookUpHosts(hosts, "Db.") ==
        std::vector<IpAddress>{Ip("10.0.0.5"), Ip("10.0.0.6")});
  CHECK(linger::LookUpHosts(hosts, "localhost") ==
        std::vector<IpAddress>{Ip("127.0.0.1"), Ip("::1")});
  CHECK(linger::LookUpHosts(hosts, "comment").empty());
  CHECK(linger::LookUpHosts(hosts, "db.lo").empty());
  CHECK(linger::LookUpHosts("", "db").empty());
}

TEST_CASE("in /etc/hosts only a hash starts a comment, a semicolon does not") {
  const char* hosts = "10.0.0.7 svc;x\n10.0.0.8 a ; b\n10.0.0.9 c #d\n";
  CHECK(linger::LookUpHosts(hosts, "svc;x") == std::vector<IpAddress>{Ip("10.0.0.7")});
  CHECK(linger::LookUpHosts(hosts, "svc").empty());
  CHECK(linger::LookUpHosts(hosts, "b") == std::vector<IpAddress>{Ip("10.0.0.8")});
  CHECK(linger::LookUpHosts(hosts, "d").empty());
}

TEST_CASE("a file read up to a limit keeps only its complete lines") {
  CHECK(linger::CompleteLines("a\nb\n") == "a\nb\n");
  CHECK(linger::CompleteLines("10.0.0.1 a\n127.0.0.1 svc.te") == "10.0.0.1 a\n");
  CHECK(linger::CompleteLines("127.0.0.1 svc.te").empty());
  CHECK(linger::CompleteLines("").empty());
}

TEST_CASE("resolv.conf gives servers, search domains and options, with glibc's defaults") {
  auto empty = linger::ParseResolvConf("");
  CHECK(empty.nameservers == std::vector<IpAddress>{Ip("127.0.0.1")});
  CHECK(empty.search.empty());
  CHECK(empty.ndots == 1);
  CHECK(empty.timeout_seconds == 5);
  CHECK(empty.attempts == 2);
  // What a Kubernetes pod gets.
  auto pod = linger::ParseResolvConf(
      "search ns.svc.cluster.local svc.cluster.local cluster.local\n"
      "nameserver 10.96.0.10\n"
      "options ndots:5 timeout:2 attempts:9 rotate\n");
  CHECK(pod.nameservers == std::vector<IpAddress>{Ip("10.96.0.10")});
  CHECK(pod.search ==
        std::vector<std::string>{"ns.svc.cluster.local", "svc.cluster.local", "cluster.local"});
  CHECK(pod.ndots == 5);
  CHECK(pod.timeout_seconds == 2);
  CHECK(pod.attempts == 5);
  auto odd = linger::ParseResolvConf(
      "; comment\nnameserver ::1\nnameserver bogus\nnameserver 1.1.1.1\nnameserver 2.2.2.2\n"
      "nameserver 3.3.3.3\ndomain first\nsearch a b\noptions ndots:x timeout:0\n");
  CHECK(odd.nameservers == std::vector<IpAddress>{Ip("::1"), Ip("1.1.1.1"), Ip("2.2.2.2")});
  CHECK(odd.search == std::vector<std::string>{"a", "b"});
  CHECK(odd.ndots == 1);
  CHECK(odd.timeout_seconds == 1);
}

TEST_CASE("search names follow ndots, and a final dot means the name as it is") {
  linger::ResolvConf conf;
  conf.search = {"ns.svc.cluster.local", "cluster.local."};
  conf.ndots = 2;
  CHECK(linger::SearchNames("db", conf) ==
        std::vector<std::string>{"db.ns.svc.cluster.local", "db.cluster.local", "db"});
  CHECK(linger::SearchNames("db.example.com", conf) ==
        std::vector<std::string>{"db.example.com", "db.example.com.ns.svc.cluster.local",
                                 "db.example.com.cluster.local"});
  CHECK(linger::SearchNames("db.", conf) == std::vector<std::string>{"db"});
  conf.search.clear();
  CHECK(linger::SearchNames("db", conf) == std::vector<std::string>{"db"});
}

TEST_CASE("DNS queries are encoded as RFC 1035 says") {
  using namespace std::string_literals;
  CHECK(*BuildDnsQuery(0x1234, "db.ns", linger::kDnsA) ==
        "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x02"
        "db\x02ns\x00\x00\x01\x00\x01"s);
  CHECK(*BuildDnsQuery(1, "a.", linger::kDnsAaaa) ==
        "\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01"
        "a\x00\x00\x1c\x00\x01"s);
  CHECK_FALSE(BuildDnsQuery(1, std::string(64, 'a'), linger::kDnsA).ok());
  CHECK_FALSE(BuildDnsQuery(1, "a..b", linger::kDnsA).ok());
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  CHECK_FALSE(BuildDnsQuery(1, long_name, linger::kDnsA).ok());
}

TEST_CASE("DNS replies give the addresses of the asked type, CNAME chains followed") {
  std::string query = *BuildDnsQuery(7, "db", linger::kDnsA);
  std::string a1 = Record(1, std::string("\x0a\x00\x00\x05", 4));
  std::string a2 = Record(1, std::string("\x0a\x00\x00\x06", 4));
  auto reply = ParseDnsReply(Reply(query, 0, 2, a1 + a2), 7, "db", linger::kDnsA);
  REQUIRE(reply.has_value());
  CHECK(reply->rcode == 0);
  CHECK(reply->addresses == std::vector<IpAddress>{Ip("10.0.0.5"), Ip("10.0.0.6")});

  // db -> web.db -> edge.example: the address belongs to the end of the chain, and a server may
  // list it before the CNAMEs that lead to it. The names' case does not matter.
  std::string to_web = Record(5, Wire("web") + "\xc0\x0c");
  std::string to_edge = Owned(Wire("WEB") + "\xc0\x0c", 5, Wire("edge") + Wire("example") + '\0');
  std::string edge = Owned(Wire("edge") + Wire("example") + '\0', 1, A("10.0.0.7"));
  auto chain = ParseDnsReply(Reply(query, 0, 3, edge + to_web + to_edge), 7, "db", linger::kDnsA);
  REQUIRE(chain.has_value());
  CHECK(chain->addresses == std::vector<IpAddress>{Ip("10.0.0.7")});
  // A chain that loops back ends; the records of names it never reaches do not count.
  std::string back = Owned(Wire("web") + "\xc0\x0c", 5, "\xc0\x0c");
  std::string other = Owned(Wire("other") + '\0', 1, A("10.0.0.8"));
  auto loop = ParseDnsReply(Reply(query, 0, 3, to_web + back + other), 7, "db", linger::kDnsA);
  REQUIRE(loop.has_value());
  CHECK(loop->addresses.empty());

  std::string query6 = *BuildDnsQuery(8, "db", linger::kDnsAaaa);
  std::string aaaa = Record(28, std::string("\x20\x01\x0d\xb8" + std::string(11, '\0') + "\x01"));
  auto reply6 = ParseDnsReply(Reply(query6, 0, 2, a1 + aaaa), 8, "db", linger::kDnsAaaa);
  REQUIRE(reply6.has_value());
  CHECK(reply6->addresses == std::vector<IpAddress>{Ip("2001:db8::1")});

  auto nxdomain = ParseDnsReply(Reply(query, 3, 0, ""), 7, "db", linger::kDnsA);
  REQUIRE(nxdomain.has_value());
  CHECK(nxdomain->rcode == 3);
  CHECK(nxdomain->addresses.empty());
  // A truncated reply with nothing usable sends the resolver to another server.
  std::string truncated = Reply(query, 0, 0, "");
  truncated[2] = static_cast<char>(0x83);
  CHECK(ParseDnsReply(truncated, 7, "db", linger::kDnsA)->rcode == 2);
}

TEST_CASE("a DNS reply counts only when its question and answer names are the ones asked") {
  std::string query = *BuildDnsQuery(7, "db.ns", linger::kDnsA);
  std::string a1 = Record(1, std::string("\x0a\x00\x00\x05", 4));
  CHECK(ParseDnsReply(Reply(query, 0, 1, a1), 7, "DB.ns.", linger::kDnsA).has_value());
  // The right id, but a question about another name, type or class.
  CHECK_FALSE(ParseDnsReply(Reply(query, 0, 1, a1), 7, "db.other", linger::kDnsA).has_value());
  CHECK_FALSE(ParseDnsReply(Reply(query, 0, 1, a1), 7, "db", linger::kDnsA).has_value());
  std::string aaaa_question = *BuildDnsQuery(7, "db.ns", linger::kDnsAaaa);
  CHECK_FALSE(ParseDnsReply(Reply(aaaa_question, 0, 1, a1), 7, "db.ns", linger::kDnsA).has_value());
  std::string chaos = Reply(query, 0, 1, a1);
  chaos[query.size() - 1] = 3;  // class CH
  CHECK_FALSE(ParseDnsReply(chaos, 7, "db.ns", linger::kDnsA).has_value());
  // No question, or two.
  std::string none = Reply(query, 0, 0, "");
  none[5] = 0;
  CHECK_FALSE(ParseDnsReply(none, 7, "db.ns", linger::kDnsA).has_value());
  std::string two = Reply(query, 0, 0, query.substr(12));
  two[5] = 2;
  CHECK_FALSE(ParseDnsReply(two, 7, "db.ns", linger::kDnsA).has_value());
  // The right question, but an answer about another name: not an address of db.ns.
  std::string stray = Owned(Wire("evil") + Wire("ns") + '\0', 1, A("10.0.0.9"));
  auto reply = ParseDnsReply(Reply(query, 0, 2, stray + a1), 7, "db.ns", linger::kDnsA);
  REQUIRE(reply.has_value());
  CHECK(reply->addresses == std::vector<IpAddress>{Ip("10.0.0.5")});
}

TEST_CASE("DNS messages that are not our reply, or are malformed, are ignored") {
  std::string query = *BuildDnsQuery(7, "db", linger::kDnsA);
  std::string a1 = Record(1, std::string("\x0a\x00\x00\x05", 4));
  std::string good = Reply(query, 0, 1, a1);
  CHECK(ParseDnsReply(good, 7, "db", linger::kDnsA).has_value());
  CHECK_FALSE(ParseDnsReply(good, 8, "db", linger::kDnsA).has_value());   // another id
  CHECK_FALSE(ParseDnsReply(query, 7, "db", linger::kDnsA).has_value());  // a query
  CHECK_FALSE(ParseDnsReply("", 7, "db", linger::kDnsA).has_value());
  // Every truncation of a good reply is refused, never read past its end.
  for (size_t size = 0; size < good.size(); ++size) {
    INFO(size);
    CHECK_FALSE(ParseDnsReply(good.substr(0, size), 7, "db", linger::kDnsA).has_value());
  }
  std::string bad_label = good;
  bad_label[12] = static_cast<char>(0x80);  // reserved label type
  CHECK_FALSE(ParseDnsReply(bad_label, 7, "db", linger::kDnsA).has_value());
  // Compression pointers that point at each other, or at themselves, never end a name.
  // The answer starts at 0x14 (after the 20 bytes of the query), its data at 0x20.
  std::string looping = Reply(query, 0, 1, Owned("\xc0\x20", 1, std::string("\xc0\x14\0\0", 4)));
  CHECK_FALSE(ParseDnsReply(looping, 7, "db", linger::kDnsA).has_value());
  std::string self = Reply(query, 0, 1, Owned("\xc0\x14", 1, A("10.0.0.5")));
  CHECK_FALSE(ParseDnsReply(self, 7, "db", linger::kDnsA).has_value());
  // A record whose data is the wrong size for its type is skipped.
  auto wrong = ParseDnsReply(Reply(query, 0, 1, Record(1, "abc")), 7, "db", linger::kDnsA);
  REQUIRE(wrong.has_value());
  CHECK(wrong->addresses.empty());
}

TEST_CASE("the nameserver that failed to answer is not asked first again") {
  std::vector<IpAddress> servers = {Ip("10.0.0.1"), Ip("10.0.0.2"), Ip("10.0.0.3")};
  linger::ServerChoice choice;
  CHECK(choice.First(servers) == 0);
  choice.Failed(servers, 0);
  CHECK(choice.First(servers) == 1);
  // A failure of a server that was not asked first changes nothing.
  choice.Failed(servers, 2);
  CHECK(choice.First(servers) == 1);
  choice.Failed(servers, 1);
  choice.Failed(servers, 2);
  CHECK(choice.First(servers) == 0);  // round again
  choice.Answered(servers[2]);
  CHECK(choice.First(servers) == 2);
  // The memory is of an address: when resolv.conf changes, an unknown one means the first.
  CHECK(choice.First({Ip("10.0.0.3"), Ip("10.0.0.4")}) == 0);
  CHECK(choice.First({Ip("10.0.0.4")}) == 0);
}
