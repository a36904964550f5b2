// The ready port over real sockets: listens before COMMAND starts and answers each health check
// with one response, never blocking. The supervisor adds its descriptors to its own poll set and
// hands it what the poll saw; with no check arriving, nothing here asks for a wake-up.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fd.h"
#include "own_listener.h"
#include "ready.h"
#include "result.h"

namespace linger {

// Answers HTTP health checks on the ready port: 200 until it drains, 503 from then on.
class ReadyServer final : public OwnListener {
 public:
  using Clock = std::chrono::steady_clock;

  // At most this many check connections are open at once; more wait in the accept queue.
  static constexpr size_t kMaxConnections = 64;
  // A connection gets this long for its request head, and again for its answer.
  static constexpr Clock::duration kConnectionTime = std::chrono::seconds(3);
  // How long one check of --ready-url may take.
  static constexpr Clock::duration kCheckTime = std::chrono::seconds(2);

  explicit ReadyServer(const ReadyOptions& options) : options_(options) {}
  ReadyServer(const ReadyServer&) = delete;
  ReadyServer& operator=(const ReadyServer&) = delete;

  // Listens on the port on every address, IPv6 and IPv4; the error names the port.
  Result<void> Listen();

  int port() const override { return options_.port; }
  std::uint64_t Opens() const override;

  // Answers 503 from `now` plus --ready-fail-after on, and returns the words that end the line
  // that starts the delay: "; ready port 8081 answers 503 from now on". Nothing wakes up at that
  // moment: each answer looks at the clock.
  std::string Drain(Clock::time_point now);

  // The most descriptors Watch() asks for: the listener and every connection.
  static constexpr size_t kMaxWatched = 1 + kMaxConnections;
  // Writes the descriptors to poll and their events to the start of `fds`, which has room for
  // kMaxWatched, and returns how many.
  size_t Watch(std::span<pollfd> fds) const;
  // The next moment a connection runs out of time, or a paused accept resumes.
  std::optional<Clock::time_point> NextDeadline() const;
  // Acts on what a poll saw (descriptors that are not its own are skipped), then closes the
  // connections that are done or out of time.
  void Serve(std::span<const pollfd> polled, Clock::time_point now);

 private:
  // One check connection, or a free slot for one.
  struct Connection {
    enum class Stage { kReading, kChecking, kWriting, kDone };
    UniqueFd fd;
    Clock::time_point deadline;
    Stage stage = Stage::kReading;
    RequestReader request;
    UniqueFd check;       // kChecking: the pipe from the process that asks the app
    std::string checked;  // what came through it so far
    std::string response;
    size_t sent = 0;
  };

  bool Draining(Clock::time_point now) const { return drain_at_ && now >= *drain_at_; }
  void Accept(Clock::time_point now);
  // Moves a connection on as far as it can go without waiting.
  void Step(Connection& connection, Clock::time_point now);
  void Read(Connection& connection, Clock::time_point now);
  // Asks the app in a child process, or answers at once when it need not or cannot be asked.
  void StartCheck(Connection& connection, Clock::time_point now);
  void ReadCheck(Connection& connection, Clock::time_point now);
  void Respond(Connection& connection, const ReadyAnswer& answer, Clock::time_point now);
  void Write(Connection& connection);
  // In a check's child: asks the app and writes the outcome to `out`, never returns.
  [[noreturn]] void RunCheck(int out) const;

  ReadyOptions options_;
  UniqueFd listener_;
  std::vector<Connection> connections_;  // kMaxConnections slots; a free one has no fd
  size_t open_ = 0;                      // the slots in use
  std::uint64_t accepted_ = 0;
  std::optional<Clock::time_point> drain_at_;
  std::optional<Clock::time_point> accept_paused_until_;  // after accept failed for lack of room
};

}  // namespace linger
