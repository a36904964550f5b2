// The signal state linger inherited, and reading signals from a signalfd. The names of signals are
// in signal_names.h.
#pragma once

#include <signal.h>

#include <chrono>
#include <optional>

#include "fd.h"
#include "result.h"

namespace linger {

// The signal mask and ignored signals linger was started with. Children and exec'd commands get
// exactly this back: linger is transparent, like env or nohup.
struct SignalState {
  sigset_t mask;
  sigset_t ignored;
};

// Reads the current state; changes nothing.
SignalState CurrentSignalState();

// Puts the inherited mask and ignored signals back, and the default action of SIGPIPE and SIGXFSZ
// where StopSignals ignored them. Async-signal-safe, so it may run between fork and exec.
bool RestoreSignalState(const SignalState& state);

// Adds signal `sig` (1 to 64) to `set`, also one that musl's sigaddset refuses because it keeps
// it for threads (34, the kernel's SIGRTMIN, which a single-threaded linger can block and forward).
void AddSignal(sigset_t& set, int sig);

// Blocks `set` and opens a non-blocking signalfd for it: as PID 1 the kernel drops signals that
// have no handler, but a blocked signal is always queued. The error names the failing call.
Result<UniqueFd> BlockIntoSignalFd(const sigset_t& set);

// SIGTERM, SIGINT and SIGHUP, blocked and read from a signalfd (see BlockIntoSignalFd). Signals
// inherited as ignored (nohup) stay ignored. SIGPIPE and SIGXFSZ are ignored meanwhile, so that a
// log that cannot be written never ends the wait; RestoreSignalState puts them back.
class StopSignals {
 public:
  using Clock = std::chrono::steady_clock;

  // Blocks the stop signals; the error names the failing call.
  static Result<StopSignals> Open(const SignalState& inherited);

  // Readable when a stop signal is pending, for poll().
  int fd() const { return fd_.get(); }

  // Waits for a stop signal until `deadline` (forever when empty), or until `fd` (when not -1) is
  // readable. Returns the signal, or 0 once the deadline has passed on the monotonic clock or `fd`
  // is readable; EINTR never shortens it.
  Result<int> WaitUntil(std::optional<Clock::time_point> deadline, int fd = -1) const;

  // The pending stop signal, or 0 when none; does not block.
  int Take() const;

  // From now on a stop signal, once unblocked, ends linger with 128+N at once (_exit from a
  // handler), also as PID 1, where the kernel drops a signal that has no handler. exec puts the
  // default action back, so COMMAND does not inherit the handler.
  Result<void> ExitOnDelivery() const;

 private:
  StopSignals(UniqueFd fd, const sigset_t& set) : fd_(std::move(fd)), set_(set) {}
  UniqueFd fd_;
  sigset_t set_;  // the stop signals that are not inherited as ignored
};

}  // namespace linger
