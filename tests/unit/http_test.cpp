#include "net/http.h"

#include <functional>

#include "catch.h"
#include "text.h"

using linger::BuildRequest;
using linger::HttpHeader;
using linger::IntList;
using linger::Judge;
using linger::ParseHeaderOption;
using linger::ResponseParser;
using linger::Verdict;
using State = linger::ResponseParser::State;

namespace {

linger::Url UrlFor(const char* text) { return *linger::ParseUrl(text); }

// Everything a parser ends with, to compare the ways of feeding it.
struct Outcome {
  State state;
  int status;
  std::string reason, body, error;
  bool operator==(const Outcome&) const = default;
};

// Feeds `response` in pieces of `piece` bytes (0: whole), then ends the connection if `close`.
Outcome Parse(std::string_view response, size_t piece, bool close, bool head = false) {
  ResponseParser parser(head);
  if (piece == 0) piece = response.size() + 1;
  for (size_t at = 0; at < response.size(); at += piece) parser.Feed(response.substr(at, piece));
  if (close) parser.Finish();
  return {parser.state(), parser.status(), parser.reason(), parser.body(), parser.error()};
}

// Parses whole, byte by byte and in odd chunks; all must agree.
Outcome ParseEveryWay(std::string_view response, bool close, bool head = false) {
  Outcome whole = Parse(response, 0, close, head);
  for (size_t piece : {1u, 2u, 3u, 7u, 13u, 64u}) {
    INFO("pieces of " << piece);
    Outcome split = Parse(response, piece, close, head);
    CHECK(split.state == whole.state);
    CHECK(split.status == whole.status);
    CHECK(split.body == whole.body);
    CHECK(split.error == whole.error);
  }
  return whole;
}

}  // namespace

TEST_CASE("the request has Host, User-Agent and Connection: close, then the extra headers") {
  CHECK(BuildRequest("GET", UrlFor("http://db:8080/ready?x=1"), {}) ==
        "GET /ready?x=1 HTTP/1.1\r\nHost: db:8080\r\nUser-Agent: linger/" LINGER_VERSION
        "\r\nConnection: close\r\n\r\n");
  CHECK(BuildRequest("HEAD", UrlFor("http://[::1]"), {})
            .starts_with("HEAD / HTTP/1.1\r\nHost: [::1]\r\n"));
  std::vector<HttpHeader> extra = {
      {"X-Probe", "1"}, {"host", "api.example.com"}, {"USER-AGENT", "kube-probe/1.30"}, {"A", ""}};
  CHECK(BuildRequest("OPTIONS", UrlFor("http://10.0.0.1/"), extra) ==
        "OPTIONS / HTTP/1.1\r\nhost: api.example.com\r\nUSER-AGENT: kube-probe/1.30\r\n"
        "Connection: close\r\nX-Probe: 1\r\nA: \r\n\r\n");
}

TEST_CASE("header options take 'Name: value' and refuses what would break the request") {
  auto header = ParseHeaderOption("Authorization:  Bearer abc  ");
  REQUIRE(header.ok());
  CHECK(header->name == "Authorization");
  CHECK(header->value == "Bearer abc");
  CHECK(ParseHeaderOption("X-Empty:")->value.empty());
  CHECK(ParseHeaderOption("X:a:b")->value == "a:b");
  for (const char* bad : {"", "NoColon", ": value", "Bad Name: x", "X-A\r\nInjected: 1", "X: a\nb",
                          "X: a\rb", "Näme: x", " X: y"}) {
    INFO(bad);
    auto r = ParseHeaderOption(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("invalid header '" + linger::Printable(bad) + "'", 0) == 0);
  }
  for (const char* good : {"GET", "HEAD", "POST", "OPTIONS", "PURGE", "M-SEARCH"}) {
    CHECK(linger::IsValidMethod(good));
  }
  for (const char* bad : {"", "GE T", "GET\r\n", "G/T", "(GET)"})
    CHECK_FALSE(linger::IsValidMethod(bad));
}

TEST_CASE("well-formed responses parse the same whole, byte by byte and in odd chunks") {
  struct Case {
    const char* name;
    std::string response;
    bool close;  // the server closes after it
    bool head;
    int status;
    const char* body;
  };
  const Case cases[] = {
      {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, false, 200,
       "hello"},
      {"bytes after the body are ignored", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiEXTRA",
       false, false, 200, "hi"},
      {"zero length", "HTTP/1.1 204 No Content\r\n\r\n", false, false, 204, ""},
      {"empty reason", "HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n", false, false, 503, ""},
      {"HTTP/1.0, close-delimited", "HTTP/1.0 200 OK\r\n\r\nall of it", true, false, 200,
       "all of it"},
      {"bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", false, false, 200, "abc"},
      {"chunked",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
       "7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n",
       false, false, 200, "hello, world"},
      {"chunked wins over Content-Length",
       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\ntransfer-encoding: gzip, Chunked\r\n\r\n"
       "A\r\n0123456789\r\n0\r\n\r\n",
       false, false, 200, "0123456789"},
      {"upper-case hex chunk size",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "1F\r\n0123456789012345678901234567890\r\n0\r\n\r\n",
       false, false, 200, "0123456789012345678901234567890"},
      {"non-chunked transfer coding ends with the connection",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", true, false, 200, "zz"},
      {"1xx interim responses are skipped",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
       false, false, 200, "ok"},
      {"HEAD has no body whatever Content-Length says",
       "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false, true, 200, ""},
      {"304 has no body", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false, false,
       304, ""},
      {"repeated equal Content-Length",
       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-length: 1\r\n\r\nx", false, false, 200,
       "x"},
      {"folded header line", "HTTP/1.1 200 OK\r\nX-A: a\r\n  b\r\nContent-Length: 1\r\n\r\nx",
       false, false, 200, "x"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Outcome outcome = ParseEveryWay(c.response, c.close, c.head);
    CHECK(outcome.state == State::kComplete);
    CHECK(outcome.error.empty());
    CHECK(outcome.status == c.status);
    CHECK(outcome.body == c.body);
  }
  CHECK(Parse("HTTP/1.1 503 Service Unavailable\r\n\r\n", 0, true).reason == "Service Unavailable");
}

TEST_CASE("the states show how far a response has come") {
  ResponseParser parser(false);
  CHECK(parser.state() == State::kHead);
  CHECK(parser.Feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n") == State::kHead);
  CHECK(parser.Feed("\r\nab") == State::kBody);
  CHECK(parser.status() == 200);
  CHECK(parser.body() == "ab");
  CHECK(parser.Feed("cd") == State::kComplete);
}

TEST_CASE("malformed, cut short and oversized responses are errors, never a crash") {
  struct Case {
    const char* name;
    std::string response;
    bool close;
    const char* error;
  };
  const Case cases[] = {
      {"nothing at all", "", true, "connection closed without a response"},
      {"garbage", "garbage\r\n\r\n", false, "not an HTTP/1.x response: 'garbage'"},
      {"binary garbage", std::string("\x16\x03\x01\x00\xff\n", 6), false,
       "not an HTTP/1.x response: '\\x16\\x03\\x01\\x00\\xff'"},
      {"HTTP/2", "HTTP/2 200\r\n\r\n", false, "not an HTTP/1.x response"},
      {"short status", "HTTP/1.1 20\r\n\r\n", false, "not an HTTP/1.x response"},
      {"letters in status", "HTTP/1.1 2x0 OK\r\n\r\n", false, "not an HTTP/1.x response"},
      {"status below 100", "HTTP/1.1 099 Odd\r\n\r\n", false, "not an HTTP/1.x response"},
      {"no space after status", "HTTP/1.1 2000\r\n\r\n", false, "not an HTTP/1.x response"},
      {"header without colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", false,
       "malformed header line 'NoColon'"},
      {"space in header name", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", false,
       "malformed header line"},
      {"bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", false,
       "invalid Content-Length '1x'"},
      {"negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false,
       "invalid Content-Length"},
      {"huge Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
       false, "invalid Content-Length"},
      {"conflicting Content-Length",
       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false,
       "invalid Content-Length '2'"},
      {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
       "malformed chunk size 'zz'"},
      {"empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", false,
       "malformed chunk size"},
      {"huge chunk size",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", false,
       "malformed chunk size"},
      {"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
       false, "no CRLF after a chunk"},
      {"closed in the status line", "HTTP/1.1 2", true,
       "connection closed before the end of the headers"},
      {"closed in the headers", "HTTP/1.1 200 OK\r\nContent-Le", true,
       "connection closed before the end of the headers"},
      {"closed after 1xx", "HTTP/1.1 100 Continue\r\n\r\n", true,
       "connection closed before the end of the headers"},
      {"closed in a Content-Length body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true,
       "connection closed before the end of the body"},
      {"closed in a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true,
       "connection closed before the end of the body"},
      {"closed before the last chunk",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", true,
       "connection closed before the end of the body"},
      {"closed in the trailers",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n", true,
       "connection closed before the end of the body"},
      {"long chunk size line",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(5000, 'e'), false,
       "chunk size line too long"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Outcome outcome = ParseEveryWay(c.response, c.close);
    CHECK(outcome.state == State::kError);
    CHECK(outcome.error.find(c.error) != std::string::npos);
  }
}

TEST_CASE("headers are capped at 64 KiB, also across 1xx responses and without line ends") {
  std::string endless = "HTTP/1.1 200 OK\r\n";
  while (endless.size() < 70 * 1024) endless += "X-Filler: 0123456789012345678901234567890\r\n";
  CHECK(ParseEveryWay(endless, false).error == "headers exceed 64 KiB");
  std::string interim;
  while (interim.size() < 70 * 1024) interim += "HTTP/1.1 102 Processing\r\n\r\n";
  CHECK(ParseEveryWay(interim, false).error == "headers exceed 64 KiB");
  CHECK(ParseEveryWay("HTTP/1.1 200 OK\r\nX: " + std::string(70 * 1024, 'a'), false).error ==
        "headers exceed 64 KiB");
  // Just under the cap is fine.
  std::string big =
      "HTTP/1.1 200 OK\r\nX: " + std::string(60 * 1024, 'a') + "\r\nContent-Length: 0\r\n\r\n";
  CHECK(ParseEveryWay(big, false).state == State::kComplete);
}

TEST_CASE("only the first MiB of a body is kept, and then the response counts as complete") {
  std::string body(3 * 1024 * 1024, 'x');
  auto outcome = Parse("HTTP/1.1 200 OK\r\n\r\n" + body, 4096, false);
  CHECK(outcome.state == State::kComplete);
  CHECK(outcome.body.size() == ResponseParser::kMaxBodyBytes);
  auto chunked = Parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n300000\r\n" + body,
                       100000, false);
  CHECK(chunked.state == State::kComplete);
  CHECK(chunked.body.size() == ResponseParser::kMaxBodyBytes);
}

TEST_CASE("the verdict needs an accepted status and, if asked, the text in the body") {
  IntList ok = *IntList::Parse("200-399", 100, 599, "status list");
  auto judge = [&](std::string_view response, std::string_view needle, bool close = false) {
    ResponseParser parser(false);
    parser.Feed(response);
    if (close) parser.Finish();
    return Judge(parser, ok, needle);
  };
  Verdict v = judge("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "");
  CHECK(v.kind == Verdict::kReady);  // no need to wait for the body
  CHECK(v.detail == "HTTP 200 OK");
  v = judge("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100\r\n\r\n", "");
  CHECK(v.kind == Verdict::kNotReady);
  CHECK(v.detail == "HTTP 503 Service Unavailable");
  CHECK(judge("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n", "").kind == Verdict::kReady);
  CHECK(judge("HTTP/1.1 200 OK\r\n", "").kind == Verdict::kUndecided);
  CHECK(judge("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nnot yet", "ready").kind ==
        Verdict::kUndecided);
  CHECK(judge("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nall ready", "ready").kind ==
        Verdict::kReady);
  v = judge("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstart", "ready");
  CHECK(v.kind == Verdict::kNotReady);
  CHECK(v.detail == "HTTP 200 OK, but the body does not contain 'ready'");
  v = judge("HTTP/1.1 200 OK\r\n\r\nstatus: ready", "ready", true);
  CHECK(v.kind == Verdict::kReady);
  v = judge("nonsense\r\n", "");
  CHECK(v.kind == Verdict::kNotReady);
  CHECK(v.detail == "not an HTTP/1.x response: 'nonsense'");
  IntList only_404 = *IntList::Parse("404", 100, 599, "status list");
  ResponseParser parser(false);
  parser.Feed("HTTP/1.1 404 Not Found\r\n\r\n");
  CHECK(Judge(parser, only_404, "").kind == Verdict::kReady);
}
