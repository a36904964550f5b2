#include "ready.h"

#include <initializer_list>
#include <string>

#include "catch.h"

using linger::ChooseAnswer;
using linger::FormatAnswer;
using linger::ReadyAnswer;
using linger::RequestReader;
using State = linger::RequestReader::State;

namespace {

// Feeds `text` in pieces of `piece` bytes and returns the state after the last.
State FeedInPieces(RequestReader& reader, const std::string& text, size_t piece) {
  State state = reader.state();
  for (size_t at = 0; at < text.size(); at += piece) state = reader.Feed(text.substr(at, piece));
  return state;
}

}  // namespace

TEST_CASE("a request head is complete at its empty line, however it is cut") {
  const std::string heads[] = {
      "GET / HTTP/1.1\r\nHost: pod\r\nUser-Agent: ELB-HealthChecker/2.0\r\n\r\n",
      "GET /healthz HTTP/1.0\r\n\r\n", "OPTIONS * HTTP/1.1\nHost: x\n\n",
      "\r\n\r\nGET / HTTP/1.1\r\n\r\n",  // empty lines before it are ignored
  };
  for (const std::string& head : heads) {
    for (size_t piece : std::initializer_list<size_t>{1, 2, 3, 7, 1000}) {
      INFO(head << " in pieces of " << piece);
      RequestReader reader;
      CHECK(FeedInPieces(reader, head.substr(0, head.size() - 1), piece) == State::kReading);
      CHECK(reader.Feed(head.substr(head.size() - 1)) == State::kComplete);
      CHECK_FALSE(reader.head_method());
      // What follows the head is not read.
      CHECK(reader.Feed("GET / HTTP/1.1\r\n\r\n") == State::kComplete);
    }
  }
}

TEST_CASE("HEAD is told apart: its answer has no body") {
  RequestReader reader;
  REQUIRE(reader.Feed("HEAD /ready HTTP/1.1\r\nHost: a\r\n\r\n") == State::kComplete);
  CHECK(reader.head_method());
  const std::string with_body = FormatAnswer({200, "ready\n"}, false);
  CHECK(with_body ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: "
        "close\r\n\r\nready\n");
  const std::string head = FormatAnswer({200, "ready\n"}, true);
  CHECK(head == with_body.substr(0, with_body.size() - 6));
  CHECK(
      FormatAnswer({503, "draining\n"}, false).starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
  CHECK(
      FormatAnswer(linger::BadRequestAnswer(), false).starts_with("HTTP/1.1 400 Bad Request\r\n"));
}

TEST_CASE("what is not an HTTP/1.x request head is a bad request") {
  const char* bad[] = {
      "GET /\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET / HTTP/1.1 x\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",
      "GET  HTTP/1.1\r\n\r\n",
      "\x16\x03\x01\x02\x05\x01\n\n",
      "SSH-2.0-OpenSSH_9.2\r\n\r\n",
  };
  for (const char* text : bad) {
    INFO(text);
    RequestReader reader;
    CHECK(reader.Feed(text) == State::kBad);
  }
}

TEST_CASE("a head longer than 8 KiB is refused as soon as the cap is passed") {
  const std::string line = "GET / HTTP/1.1\r\n";
  const std::string header = "X-Filler: " + std::string(100, 'a') + "\r\n";
  RequestReader reader;
  State state = reader.Feed(line);
  size_t fed = line.size();
  while (state == State::kReading && fed < 1024 * 1024) {
    state = reader.Feed(header);
    fed += header.size();
  }
  CHECK(state == State::kBad);
  CHECK(fed <= RequestReader::kMaxHeadBytes + header.size());

  // Exactly at the cap is still a request.
  std::string exact = line + "X: " + std::string(RequestReader::kMaxHeadBytes, 'b');
  exact.resize(RequestReader::kMaxHeadBytes - 4);
  exact += "\r\n\r\n";
  RequestReader at_cap;
  CHECK(FeedInPieces(at_cap, exact, 1000) == State::kComplete);
  RequestReader over;
  CHECK(FeedInPieces(over, exact.insert(20, "c"), 1000) == State::kBad);
}

TEST_CASE("the answer: ready, draining, or the app's own readiness before the stop") {
  auto check = [](const ReadyAnswer& answer, int status, const std::string& body) {
    CHECK(answer.status == status);
    CHECK(answer.body == body);
  };
  check(ChooseAnswer(false, std::nullopt), 200, "ready\n");
  check(ChooseAnswer(true, std::nullopt), 503, "draining\n");
  check(ChooseAnswer(false, linger::AppReadiness{true, "HTTP 204 No Content"}), 200, "ready\n");
  check(ChooseAnswer(false, linger::AppReadiness{false, "HTTP 503 Service Unavailable"}), 503,
        "not ready: HTTP 503 Service Unavailable\n");
  check(ChooseAnswer(true, linger::AppReadiness{true, "HTTP 200 OK"}), 503, "draining\n");
}

TEST_CASE("ready options: a port is 1-65535, the URL plain http") {
  linger::ReadyOptions options;
  CHECK(linger::SetReadyPort(options, "8081").ok());
  CHECK(options.port == 8081);
  CHECK(linger::SetReadyPort(options, "65535").ok());
  for (const char* bad : {"0", "65536", "", "80x", "-1", " 80"}) {
    INFO(bad);
    auto set = linger::SetReadyPort(options, bad);
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().kind == linger::ErrorKind::kInvalid);
  }
  CHECK(linger::SetReadyUrl(options, "http://127.0.0.1:8080/ready").ok());
  REQUIRE(options.url);
  CHECK(options.url->target == "/ready");
  for (const char* bad : {"https://127.0.0.1/", "ftp://x/", "127.0.0.1:8080", "http://"}) {
    INFO(bad);
    CHECK_FALSE(linger::SetReadyUrl(options, bad).ok());
  }
}
