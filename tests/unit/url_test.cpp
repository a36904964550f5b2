#include "net/url.h"

#include "catch.h"
#include "text.h"

using linger::ParseUrl;

TEST_CASE("http URLs are taken apart into host, port, Host header and request target") {
  struct Case {
    const char* text;
    const char* host;
    int port;
    const char* authority;
    const char* target;
  };
  const Case cases[] = {
      {"http://db", "db", 80, "db", "/"},
      {"http://db:8080/ready", "db", 8080, "db:8080", "/ready"},
      {"HTTP://Db.Example.COM/", "Db.Example.COM", 80, "Db.Example.COM", "/"},
      {"http://db.ns.svc.cluster.local.:80/x", "db.ns.svc.cluster.local.", 80,
       "db.ns.svc.cluster.local.", "/x"},
      {"http://127.0.0.1:9/a/b?c=d&e", "127.0.0.1", 9, "127.0.0.1:9", "/a/b?c=d&e"},
      {"http://10.0.0.1?q", "10.0.0.1", 80, "10.0.0.1", "/?q"},
      {"http://[::1]:8080/healthz", "::1", 8080, "[::1]:8080", "/healthz"},
      {"http://[2001:db8::1]", "2001:db8::1", 80, "[2001:db8::1]", "/"},
      {"http://[::ffff:10.0.0.1]:65535/", "::ffff:10.0.0.1", 65535, "[::ffff:10.0.0.1]:65535", "/"},
      {"http://my_service-1:1/%20x", "my_service-1", 1, "my_service-1:1", "/%20x"},
      {"http://host:00080/", "host", 80, "host", "/"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto url = ParseUrl(c.text);
    REQUIRE(url.ok());
    CHECK(url->host == c.host);
    CHECK(url->port == c.port);
    CHECK(url->authority == c.authority);
    CHECK(url->target == c.target);
  }
}

TEST_CASE("https URLs default to port 443, which the Host header then leaves out") {
  auto url = ParseUrl("HTTPS://api.example.com/ready");
  REQUIRE(url.ok());
  CHECK(url->tls);
  CHECK(url->port == 443);
  CHECK(url->authority == "api.example.com");
  CHECK(url->target == "/ready");
  url = ParseUrl("https://[::1]:443");
  REQUIRE(url.ok());
  CHECK(url->port == 443);
  CHECK(url->authority == "[::1]");
  url = ParseUrl("https://db:80/");
  REQUIRE(url.ok());
  CHECK(url->authority == "db:80");
  url = ParseUrl("http://db/");
  REQUIRE(url.ok());
  CHECK_FALSE(url->tls);
  CHECK(url->port == 80);
}

TEST_CASE("HOST:PORT for wait-tcp needs its port") {
  using linger::ParseHostPort;
  auto endpoint = ParseHostPort("db:5432", std::nullopt);
  REQUIRE(endpoint.ok());
  CHECK(endpoint->host == "db");
  CHECK(endpoint->port == 5432);
  endpoint = ParseHostPort("[::1]:6379", std::nullopt);
  REQUIRE(endpoint.ok());
  CHECK(endpoint->host == "::1");
  CHECK(ParseHostPort("db", std::nullopt).error().message == "no port (HOST:PORT)");
  CHECK(ParseHostPort("db:postgres", std::nullopt).error().message ==
        "port 'postgres' is not a number in 1-65535");
  CHECK(ParseHostPort("db:", std::nullopt).error().message.find("not a number") !=
        std::string::npos);
  // IPv6 needs brackets.
  CHECK(ParseHostPort("::1:80", std::nullopt).error().message == "no host");
  CHECK(ParseHostPort("db", 443)->port == 443);
}

TEST_CASE("bad URLs are refused with a message naming the URL and the reason") {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"https://user@db/", "user:pass@"},
      {"https://db:0/", "port '0'"},
      {"httpx://db/", "only http:// and https://"},
      {"ftp://db/", "only http://"},
      {"db:8080/ready", "http://"},
      {"", "http://"},
      {"http://", "no host"},
      {"http:///path", "no host"},
      {"http://:80/", "no host"},
      {"http://user:pass@db/", "user:pass@"},
      {"http://user@db/", "user:pass@"},
      {"http://db/#frag", "fragment"},
      {"http://db/ready#", "fragment"},
      {"http://db/a b", "percent-encoded"},
      {"http://db/a\tb", "percent-encoded"},
      {"http://db/a\nb", "percent-encoded"},
      {"http://db:0/", "port '0'"},
      {"http://db:65536/", "port '65536'"},
      {"http://db:/", "port ''"},
      {"http://db:http/", "port 'http'"},
      {"http://db:-1/", "port '-1'"},
      {"http://db:80:81/", "port '80:81'"},
      {"http://[::1/", "without ']'"},
      {"http://[::1]x/", "after ']'"},
      {"http://[db]/", "not an IPv6"},
      {"http://[fe80::1%25eth0]/", "not an IPv6"},
      {"http://[]/", "not an IPv6"},
      {"http://1.2.3.999/", "not a valid host"},
      {"http://1.2.3/", "not a valid host"},
      {"http://a..b/", "not a valid host"},
      {"http://.a/", "not a valid host"},
      {"http://a*b/", "not a valid host"},
      {"http://db%41/", "not a valid host"},
      {"http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b/",
       "not a valid host"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto url = ParseUrl(c.text);
    REQUIRE_FALSE(url.ok());
    CHECK(url.error().message.rfind("invalid URL '" + linger::Printable(c.text) + "'", 0) == 0);
    CHECK(url.error().message.find(c.why) != std::string::npos);
  }
}
