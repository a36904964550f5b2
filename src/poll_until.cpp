#include "poll_until.h"

#include <sys/timerfd.h>
#include <time.h>

#include <algorithm>
#include <vector>

#include "fd.h"

namespace linger {

int PollUntil(std::span<pollfd> fds,
              std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (!deadline) return ppoll(fds.data(), fds.size(), nullptr, nullptr);
  if (*deadline <= std::chrono::steady_clock::now()) return 0;
  // Not ppoll's own timeout: the kernel lets it run late by 0.1% of its length
  // (select_estimate_accuracy in fs/select.c), 20 ms on a 20 s delay. A timerfd's absolute
  // deadline is an hrtimer that only gets the thread's timer slack, 50 µs. steady_clock is
  // CLOCK_MONOTONIC.
  UniqueFd timer(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!timer) return -1;
  auto since_boot =
      std::chrono::duration_cast<std::chrono::nanoseconds>(deadline->time_since_epoch());
  itimerspec when{};
  when.it_value.tv_sec = static_cast<time_t>(since_boot.count() / 1'000'000'000);
  when.it_value.tv_nsec = static_cast<long>(since_boot.count() % 1'000'000'000);
  if (timerfd_settime(timer.get(), TFD_TIMER_ABSTIME, &when, nullptr) != 0) return -1;

  std::vector<pollfd> all(fds.begin(), fds.end());
  all.push_back({timer.get(), POLLIN, 0});
  int ready = ppoll(all.data(), all.size(), nullptr, nullptr);
  if (ready < 0) return -1;
  std::copy_n(all.begin(), fds.size(), fds.begin());
  return all.back().revents != 0 ? ready - 1 : ready;
}

}  // namespace linger
