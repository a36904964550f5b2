#include "signals.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "exit_status.h"
#include "wait_for.h"

namespace linger {
namespace {

// What writing a log can raise: SIGPIPE for a closed pipe, SIGXFSZ past a file-size limit. A log
// that cannot be written must never end the work, so linger's own waits ignore them; COMMAND gets
// them back as linger inherited them.
constexpr int kWriteSignals[] = {SIGPIPE, SIGXFSZ};

}  // namespace

SignalState CurrentSignalState() {
  SignalState state;
  sigemptyset(&state.ignored);
  // Reading the mask cannot fail with a null new set (sigprocmask(2)).
  sigprocmask(SIG_SETMASK, nullptr, &state.mask);
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    struct sigaction action {};
    if (sigaction(sig, nullptr, &action) == 0 && action.sa_handler == SIG_IGN) {
      sigaddset(&state.ignored, sig);
    }
  }
  return state;
}

bool RestoreSignalState(const SignalState& state) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    if (sigismember(&state.ignored, sig) == 1 && sigaction(sig, &ignore, nullptr) != 0) {
      return false;
    }
  }
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig : kWriteSignals) {
    if (sigismember(&state.ignored, sig) != 1 && sigaction(sig, &default_action, nullptr) != 0) {
      return false;
    }
  }
  return sigprocmask(SIG_SETMASK, &state.mask, nullptr) == 0;
}

void AddSignal(sigset_t& set, int sig) {
  // The kernel's layout, which both C libraries share: bit sig-1 of an array of longs.
  unsigned long words[sizeof(sigset_t) / sizeof(unsigned long)];
  std::memcpy(words, &set, sizeof words);
  auto bit = static_cast<unsigned>(sig - 1);
  words[bit / (8 * sizeof(unsigned long))] |= 1UL << (bit % (8 * sizeof(unsigned long)));
  std::memcpy(&set, words, sizeof words);
}

Result<UniqueFd> BlockIntoSignalFd(const sigset_t& set) {
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) {
    return Error::System("sigprocmask", errno);
  }
  int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return Error::System("signalfd", errno);
  return UniqueFd(fd);
}

Result<StopSignals> StopSignals::Open(const SignalState& inherited) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    if (!sigismember(&inherited.ignored, sig)) AddSignal(set, sig);
  }
  Result<UniqueFd> fd = BlockIntoSignalFd(set);
  if (!fd.ok()) return fd.error();
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (int sig : kWriteSignals) {
    if (sigaction(sig, &ignore, nullptr) != 0) {
      return Error::System("sigaction", errno);
    }
  }
  return StopSignals(std::move(*fd), set);
}

int StopSignals::Take() const {
  signalfd_siginfo info;
  ssize_t n = read(fd_.get(), &info, sizeof info);
  return n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

Result<void> StopSignals::ExitOnDelivery() const {
  struct sigaction exit_action {};
  exit_action.sa_handler = [](int sig) { _exit(kExitSignalBase + sig); };
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    if (sigismember(&set_, sig) == 1 && sigaction(sig, &exit_action, nullptr) != 0) {
      return Error::System("sigaction", errno);
    }
  }
  return {};
}

Result<int> StopSignals::WaitUntil(std::optional<Clock::time_point> deadline, int fd) const {
  // A descriptor is waited for by a look of --until-idle, which takes milliseconds: its deadline
  // is a bound, not a moment people time, and needs no timer of its own.
  const Precision precision = fd < 0 ? Precision::kExact : Precision::kCoarse;
  while (true) {
    if (int sig = Take()) return sig;
    switch (WaitFor(fd, POLLIN, fd_.get(), deadline, precision)) {
      case WaitEnd::kTimedOut:
      case WaitEnd::kReady:
        return 0;
      case WaitEnd::kFailed:
        return Error::System("ppoll", errno);
      case WaitEnd::kStopped:
        break;  // Take() reads it
    }
  }
}

}  // namespace linger
