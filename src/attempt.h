// What every step of one wait attempt shares: its deadline, the stop-signal descriptor that ends it
// at once, and a byte stream (plain TCP, or TLS over it) that waits only within both.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "result.h"

namespace linger {

// The budget of one attempt.
struct AttemptContext {
  std::chrono::steady_clock::time_point deadline;
  int stop_fd;           // the StopSignals descriptor
  bool stopped = false;  // a stop signal is pending: drop everything and return
};

// Waits until `fd` has `events`, at most until `until`. Returns "" when it has, else why not
// ("timed out", ...), setting ctx.stopped when a stop signal is what ended the wait.
std::string WaitFor(AttemptContext& ctx, int fd, short events,
                    std::chrono::steady_clock::time_point until);

// A connection's bytes, each call bounded by the attempt's deadline. Errors name the endpoint;
// after a stop signal they are empty and ctx.stopped is set.
class Stream {
 public:
  virtual ~Stream() = default;
  // Sends all of `data`.
  virtual Result<size_t> Send(std::string_view data) = 0;
  // Reads what has arrived, waiting for at least one byte: their count, or 0 at the end.
  virtual Result<size_t> Receive(std::span<char> buffer) = 0;
};

// A connected non-blocking TCP socket as a Stream; `fd` stays owned by the caller.
class SocketStream final : public Stream {
 public:
  SocketStream(AttemptContext& ctx, int fd, std::string endpoint)
      : ctx_(ctx), fd_(fd), endpoint_(std::move(endpoint)) {}
  Result<size_t> Send(std::string_view data) override;
  Result<size_t> Receive(std::span<char> buffer) override;

 private:
  AttemptContext& ctx_;
  int fd_;
  std::string endpoint_;  // "127.0.0.1:80", for messages
};

}  // namespace linger
