// The ready port's side of HTTP: reading a health check's request head, choosing the answer for
// the moment, and writing it. Pure: no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "duration.h"
#include "net/url.h"
#include "result.h"

namespace linger {

// What --ready-port, --ready-url and --ready-fail-after say.
struct ReadyOptions {
  int port = 0;            // 0: no ready port
  std::optional<Url> url;  // the app's own readiness, asked before the 503 phase
  Duration fail_after{};   // the 503 phase starts this long after the first held-back signal
};

// Setters for the rows of exec-with-delay; the error names the value.
Result<void> SetReadyPort(ReadyOptions& options, std::string_view value);
Result<void> SetReadyUrl(ReadyOptions& options, std::string_view value);

// Reads the head of one HTTP/1.x request (request line and headers) fed in pieces of any size.
// The body, if any, is never read: a health check's answer does not depend on it.
class RequestReader {
 public:
  // A health check's head is a few hundred bytes; a client that sends more is not one.
  static constexpr size_t kMaxHeadBytes = 8 * 1024;

  enum class State {
    kReading,   // the head is still coming
    kComplete,  // the head has ended with an empty line and its request line is valid
    kBad,       // malformed, not HTTP/1.x, or over kMaxHeadBytes
  };

  // Consumes `data` and returns the state after it; bytes after the head are ignored.
  State Feed(std::string_view data);

  State state() const { return state_; }
  // True for a HEAD request, which gets the status and headers only (from kComplete on).
  bool head_method() const { return head_method_; }

 private:
  // Checks the request line once the head is whole.
  State Judge(std::string_view head);

  std::string head_;
  State state_ = State::kReading;
  bool head_method_ = false;
};

// The app's readiness, as one check of --ready-url found it.
struct AppReadiness {
  bool ready = false;
  std::string detail;  // "HTTP 200 OK", or why not ready
};

// One answer of the ready port.
struct ReadyAnswer {
  int status = 200;
  std::string body;  // with its final newline
};

// The answer to a valid request: 503 "draining" once `draining`, else the app's readiness when
// it was asked (200 "ready", or 503 with the reason), else 200 "ready".
ReadyAnswer ChooseAnswer(bool draining, const std::optional<AppReadiness>& app);

// The answer to a request that is not a valid HTTP/1.x request head.
ReadyAnswer BadRequestAnswer();

// The whole response, closing the connection; without the body for a HEAD request.
std::string FormatAnswer(const ReadyAnswer& answer, bool head_method);

}  // namespace linger
