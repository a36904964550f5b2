#include "wait.h"

#include <poll.h>
#include <sys/timerfd.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

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
  pollfd one{fd, events, 0};
  return WaitForAny(std::span(&one, 1), stop_fd, deadline, precision);
}

WaitEnd WaitForAny(std::span<pollfd> fds, int stop_fd, std::optional<Clock::time_point> deadline,
                   Precision precision) {
  UniqueFd timer;
  if (deadline && precision == Precision::kExact && *deadline > Clock::now()) {
    timer = TimerAt(*deadline);
  }
  // The stop descriptor and the timer first, then the caller's: on the stack for one descriptor,
  // so that the waits of PID 1's loop allocate nothing.
  pollfd few[3];
  std::vector<pollfd> many(fds.size() > 1 ? fds.size() + 2 : 0);
  std::span<pollfd> all = many.empty() ? std::span(few).first(fds.size() + 2) : std::span(many);
  all[0] = {stop_fd, POLLIN, 0};
  all[1] = {timer.get(), POLLIN, 0};
  std::copy(fds.begin(), fds.end(), all.begin() + 2);
  while (true) {
    Clock::duration left{};
    if (deadline) {
      left = *deadline - Clock::now();
      if (left <= Clock::duration::zero()) return WaitEnd::kTimedOut;
    }
    timespec timeout = ToTimespec(left);
    // The timer, when there is one, keeps the deadline; ppoll's own timeout is then not needed.
    bool own_timeout = deadline && !timer;
    if (ppoll(all.data(), all.size(), own_timeout ? &timeout : nullptr, nullptr) < 0) {
      if (errno == EINTR) continue;
      return WaitEnd::kFailed;
    }
    if (all[0].revents != 0) return WaitEnd::kStopped;
    bool ready = false;
    for (size_t i = 0; i < fds.size(); ++i) {
      fds[i].revents = all[i + 2].revents;
      ready = ready || fds[i].revents != 0;
    }
    if (ready) return WaitEnd::kReady;
    // The timer fired: it is the deadline's own clock, so that is the end (looping on a timer
    // that stays readable would spin). Otherwise the timeout passed; the check at the top decides.
    if (all[1].revents != 0) return WaitEnd::kTimedOut;
  }
}

}  // namespace linger
