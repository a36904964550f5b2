#include "wait_for.h"

#include <poll.h>
#include <sys/timerfd.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "fd.h"
#include "log.h"

namespace linger {
namespace {

using Clock = std::chrono::steady_clock;

timespec ToTimespec(Clock::duration d) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

// A timerfd that fires at `deadline`. Not ppoll's own timeout: the kernel lets that run late by
// 0.1% of its length (select_estimate_accuracy in fs/select.c), 20 ms on a 20 s delay, where an
// absolute timerfd is an hrtimer that only gets the thread's timer slack. steady_clock is
// CLOCK_MONOTONIC.
UniqueFd TimerAt(Clock::time_point deadline) {
  UniqueFd timer(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  itimerspec when{};
  when.it_value = ToTimespec(deadline.time_since_epoch());
  if (timer && timerfd_settime(timer.get(), TFD_TIMER_ABSTIME, &when, nullptr) == 0) return timer;
  static bool warned = false;
  if (!warned) {
    LogWarn("cannot create a timer ({}): deadlines may end up to 0.1% late", std::strerror(errno));
    warned = true;
  }
  return UniqueFd();
}

}  // namespace

WaitEnd WaitFor(int fd, short events, int stop_fd, std::optional<Clock::time_point> deadline,
                Precision precision) {
  pollfd fds[] = {{stop_fd, POLLIN, 0}, {fd, events, 0}, {-1, 0, 0}};
  WaitEnd end = WaitForAny(fds, deadline, precision);
  if (end != WaitEnd::kReady) return end;
  return fds[0].revents != 0 ? WaitEnd::kStopped : WaitEnd::kReady;
}

WaitEnd WaitForAny(std::span<pollfd> fds, std::optional<Clock::time_point> deadline,
                   Precision precision) {
  UniqueFd timer;
  if (deadline && precision == Precision::kExact && *deadline > Clock::now()) {
    timer = TimerAt(*deadline);
  }
  fds.back() = {timer.get(), POLLIN, 0};
  while (true) {
    Clock::duration left{};
    if (deadline) {
      left = *deadline - Clock::now();
      if (left <= Clock::duration::zero()) return WaitEnd::kTimedOut;
    }
    timespec timeout = ToTimespec(left);
    // The timer, when there is one, keeps the deadline; ppoll's own timeout is then not needed.
    bool own_timeout = deadline && !timer;
    if (ppoll(fds.data(), fds.size(), own_timeout ? &timeout : nullptr, nullptr) < 0) {
      if (errno == EINTR) continue;
      return WaitEnd::kFailed;
    }
    // The timer fired: it is the deadline's own clock, so that is the end (looping on a timer
    // that stays readable would spin). Otherwise the timeout passed; the check at the top decides.
    const bool timer_fired = fds.back().revents != 0;
    for (size_t i = 0; i + 1 < fds.size(); ++i) {
      if (fds[i].revents != 0) return WaitEnd::kReady;
    }
    if (timer_fired) return WaitEnd::kTimedOut;
  }
}

}  // namespace linger
