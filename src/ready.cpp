#include "ready.h"

#include <fmt/format.h>

#include <vector>

#include "net/http.h"
#include "text.h"

namespace linger {
namespace {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    default:
      return "Service Unavailable";
  }
}

// Where the empty line that ends a head finishes, searching from `from`; npos while it has not
// come. Lines end in CRLF, or in a bare LF as lenient servers accept.
size_t HeadEnd(std::string_view text, size_t from) {
  for (size_t i = text.find('\n', from); i != std::string_view::npos; i = text.find('\n', i + 1)) {
    if (text.substr(i + 1, 1) == "\n") return i + 2;
    if (text.substr(i + 1, 2) == "\r\n") return i + 3;
  }
  return std::string_view::npos;
}

}  // namespace

Result<void> SetReadyPort(ReadyOptions& options, std::string_view value) {
  std::optional<std::uint64_t> port = ParseUnsigned(value, 65535);
  if (!port || *port == 0) {
    return Error::Invalid(fmt::format("invalid port '{}': expected 1-65535", Printable(value)));
  }
  options.port = static_cast<int>(*port);
  return {};
}

Result<void> SetReadyUrl(ReadyOptions& options, std::string_view value) {
  Result<Url> url = ParseUrl(value);
  if (!url.ok()) return url.error();
  // The app is asked on every health check: a TLS handshake each time would cost more than the
  // check, and the app is in the same pod.
  if (url->tls) {
    return Error::Invalid(fmt::format("'{}' is not a plain http:// URL", Printable(value)));
  }
  options.url = *url;
  return {};
}

RequestReader::State RequestReader::Feed(std::string_view data) {
  if (state_ != State::kReading) return state_;
  // RFC 9112 2.2: empty lines before the request line are to be ignored.
  if (head_.empty()) data.remove_prefix(std::min(data.find_first_not_of("\r\n"), data.size()));
  const size_t searched = head_.size() < 3 ? 0 : head_.size() - 3;
  // One byte past the cap is enough to tell a head that is too long.
  head_.append(data.substr(0, kMaxHeadBytes + 1 - head_.size()));
  const size_t end = HeadEnd(head_, searched);
  if (end != std::string::npos && end <= kMaxHeadBytes) return state_ = Judge(head_.substr(0, end));
  if (head_.size() > kMaxHeadBytes) return state_ = State::kBad;
  return state_;
}

RequestReader::State RequestReader::Judge(std::string_view head) {
  // "METHOD TARGET HTTP/1.1": a token, a target without blanks, and an HTTP/1.x version.
  std::string_view line = head.substr(0, head.find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  std::vector<std::string_view> words = Split(line, ' ');
  if (words.size() != 3 || !IsValidMethod(words[0]) || words[1].empty()) return State::kBad;
  std::string_view version = words[2];
  if (version.size() != 8 || !version.starts_with("HTTP/1.") || !IsDigit(version[7])) {
    return State::kBad;
  }
  head_method_ = words[0] == "HEAD";
  head_ = std::string();  // its memory too: the connection now waits for its answer
  return State::kComplete;
}

ReadyAnswer ChooseAnswer(bool draining, const std::optional<AppReadiness>& app) {
  if (draining) return {503, "draining\n"};
  if (!app || app->ready) return {200, "ready\n"};
  return {503, fmt::format("not ready: {}\n", app->detail)};
}

ReadyAnswer BadRequestAnswer() { return {400, "bad request\n"}; }

std::string FormatAnswer(const ReadyAnswer& answer, bool head_method) {
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: "
      "close\r\n\r\n{}",
      answer.status, ReasonPhrase(answer.status), answer.body.size(),
      head_method ? std::string_view() : std::string_view(answer.body));
}

}  // namespace linger
