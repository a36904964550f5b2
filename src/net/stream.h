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
  int stop_fd;  // the StopSignals descriptor, or -1 when nothing stops the attempt early
};

// Waits until `fd` has `events`. The error is kTimedOut ("timed out DOING") at the attempt's
// deadline, kStopped ("stopped DOING") once a stop signal is pending, or the poll's own failure.
Result<void> WaitForSocket(const AttemptContext& ctx, int fd, short events, std::string_view doing);

// A connection's bytes, each call bounded by the attempt's context. Errors name the endpoint, and
// a call that a stop signal ended returns a kStopped error.
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
  SocketStream(const AttemptContext& ctx, int fd, std::string endpoint)
      : ctx_(ctx), fd_(fd), endpoint_(std::move(endpoint)) {}
  Result<size_t> Send(std::string_view data) override;
  Result<size_t> Receive(std::span<char> buffer) override;

 private:
  const AttemptContext& ctx_;
  int fd_;
  std::string endpoint_;  // "127.0.0.1:80", for messages
};

}  // namespace linger
