#include "signals.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <cstring>

#include "exit_status.h"
#include "text.h"
#include "wait.h"

namespace linger {
namespace {

struct NamedSignal {
  int number;
  std::string_view name;  // without "SIG"
};

constexpr NamedSignal kSignals[] = {
    {SIGHUP, "HUP"},   {SIGINT, "INT"},       {SIGQUIT, "QUIT"}, {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"}, {SIGABRT, "ABRT"},     {SIGBUS, "BUS"},   {SIGFPE, "FPE"},
    {SIGKILL, "KILL"}, {SIGUSR1, "USR1"},     {SIGSEGV, "SEGV"}, {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"}, {SIGALRM, "ALRM"},     {SIGTERM, "TERM"}, {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"},     {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"}, {SIGTTOU, "TTOU"},     {SIGURG, "URG"},   {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"}, {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"}, {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},     {SIGPWR, "PWR"},       {SIGSYS, "SYS"},   {SIGCHLD, "CLD"},
    {SIGIO, "POLL"},   {SIGABRT, "IOT"},
};

std::optional<int> ParseNumber(std::string_view text) {
  std::optional<std::uint64_t> value = ParseUnsigned(text, 1000);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

// What writing a log can raise: SIGPIPE for a closed pipe, SIGXFSZ past a file-size limit. A log
// that cannot be written must never end the work, so linger's own waits ignore them; COMMAND gets
// them back as linger inherited them.
constexpr int kWriteSignals[] = {SIGPIPE, SIGXFSZ};

bool IsValidSignal(int sig) { return sig >= 1 && sig <= SIGRTMAX; }

// The first real-time signal as the kernel, kill(1), Docker and Go number it. The C libraries keep
// some for their threads and move their SIGRTMIN past them (glibc to 34, musl to 35); linger runs
// one thread and uses none of them, so it speaks the kernel's numbers on every build.
constexpr int kRtMin = 34;

// "RTMIN", "RTMIN+N" and "RTMAX-N", as kill(1) spells them.
std::optional<int> ParseRealtime(std::string_view name) {
  for (bool max : {false, true}) {
    std::string_view base = max ? "RTMAX" : "RTMIN";
    if (!EqualsIgnoreCase(name.substr(0, base.size()), base)) continue;
    std::string_view rest = name.substr(base.size());
    int sig = max ? SIGRTMAX : kRtMin;
    if (rest.empty()) return sig;
    if (rest.front() != (max ? '-' : '+')) return std::nullopt;
    // The sign is the one just checked: "RTMAX--130" must not count back up past SIGRTMAX.
    if (rest.size() > 1 && rest[1] == '-') return std::nullopt;
    std::optional<int> offset = ParseNumber(rest.substr(1));
    if (!offset || *offset > SIGRTMAX - kRtMin) return std::nullopt;
    return max ? sig - *offset : sig + *offset;
  }
  return std::nullopt;
}

}  // namespace

Result<int> ParseSignal(std::string_view text) {
  auto invalid = [&] {
    return Error::Invalid(fmt::format("invalid signal '{}'", Printable(text)));
  };
  if (std::optional<int> number = ParseNumber(text)) {
    if (!IsValidSignal(*number)) return invalid();
    return *number;
  }
  std::string_view name = text;
  if (EqualsIgnoreCase(name.substr(0, 3), "SIG")) name.remove_prefix(3);
  // "SIG32": how SignalName spells the two signals glibc keeps for itself.
  if (std::optional<int> number = ParseNumber(name); number && name != text) {
    if (!IsValidSignal(*number)) return invalid();
    return *number;
  }
  for (const NamedSignal& s : kSignals) {
    if (EqualsIgnoreCase(name, s.name)) return s.number;
  }
  if (std::optional<int> sig = ParseRealtime(name)) return *sig;
  return invalid();
}

Result<std::vector<int>> ParseSignalList(std::string_view text) {
  std::vector<int> signals;
  for (std::string_view item : Split(text)) {
    Result<int> sig = ParseSignal(item);
    if (!sig.ok()) {
      return Error::Invalid(
          fmt::format("invalid signal list '{}': {}", Printable(text), sig.error()));
    }
    signals.push_back(*sig);
  }
  return signals;
}

std::string SignalName(int sig) {
  for (const NamedSignal& s : kSignals) {
    if (s.number == sig) return fmt::format("SIG{}", s.name);
  }
  if (sig >= kRtMin && sig <= SIGRTMAX) return fmt::format("SIGRTMIN+{}", sig - kRtMin);
  return fmt::format("SIG{}", sig);
}

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

bool IsForwardable(int sig) {
  switch (sig) {
    case SIGKILL:
    case SIGSTOP:
    case SIGCHLD:
      return false;
    default:
      // 32 and 33 are the C libraries' own (glibc will not block them, musl uses them for
      // timers and thread cancellation), and no other program sends them.
      return sig >= 1 && sig <= SIGRTMAX && (sig < 32 || sig >= kRtMin);
  }
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
