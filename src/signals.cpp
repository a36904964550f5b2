#include "signals.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "poll_until.h"

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

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

std::optional<int> ParseNumber(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool IsValidSignal(int sig) { return sig >= 1 && sig <= SIGRTMAX; }

// "RTMIN", "RTMIN+N" and "RTMAX-N", as kill(1) spells them.
std::optional<int> ParseRealtime(std::string_view name) {
  for (bool max : {false, true}) {
    std::string_view base = max ? "RTMAX" : "RTMIN";
    if (!EqualsIgnoreCase(name.substr(0, base.size()), base)) continue;
    std::string_view rest = name.substr(base.size());
    int sig = max ? SIGRTMAX : SIGRTMIN;
    if (rest.empty()) return sig;
    if (rest.front() != (max ? '-' : '+')) return std::nullopt;
    // The sign is the one just checked: "RTMAX--130" must not count back up past SIGRTMAX.
    if (rest.size() > 1 && rest[1] == '-') return std::nullopt;
    std::optional<int> offset = ParseNumber(rest.substr(1));
    if (!offset || *offset > SIGRTMAX - SIGRTMIN) return std::nullopt;
    return max ? sig - *offset : sig + *offset;
  }
  return std::nullopt;
}

}  // namespace

Result<int> ParseSignal(std::string_view text) {
  auto invalid = [&] { return Error{fmt::format("invalid signal '{}'", text)}; };
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
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    Result<int> sig = ParseSignal(text.substr(start, comma - start));
    if (!sig.ok()) return Error{fmt::format("invalid signal list '{}': {}", text, sig.error())};
    signals.push_back(*sig);
    if (comma == std::string_view::npos) return signals;
    start = comma + 1;
  }
}

std::string SignalName(int sig) {
  for (const NamedSignal& s : kSignals) {
    if (s.number == sig) return fmt::format("SIG{}", s.name);
  }
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) return fmt::format("SIGRTMIN+{}", sig - SIGRTMIN);
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
  return sigprocmask(SIG_SETMASK, &state.mask, nullptr) == 0;
}

bool IsForwardable(int sig) {
  switch (sig) {
    case SIGKILL:
    case SIGSTOP:
    case SIGCHLD:
      return false;
    default:
      // Between 31 and SIGRTMIN lie the signals glibc keeps for its threads; it will not block
      // them.
      return sig >= 1 && sig <= SIGRTMAX && (sig < 32 || sig >= SIGRTMIN);
  }
}

Result<UniqueFd> BlockIntoSignalFd(const sigset_t& set) {
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) {
    return Error{fmt::format("sigprocmask: {}", std::strerror(errno))};
  }
  int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return Error{fmt::format("signalfd: {}", std::strerror(errno))};
  return UniqueFd(fd);
}

Result<StopSignals> StopSignals::Open(const SignalState& inherited) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    if (!sigismember(&inherited.ignored, sig)) sigaddset(&set, sig);
  }
  Result<UniqueFd> fd = BlockIntoSignalFd(set);
  if (!fd.ok()) return Error{fd.error()};
  return StopSignals(std::move(*fd));
}

int StopSignals::Take() const {
  signalfd_siginfo info;
  ssize_t n = read(fd_.get(), &info, sizeof info);
  return n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

int StopSignals::WaitUntil(std::optional<Clock::time_point> deadline) const {
  pollfd pfd{fd_.get(), POLLIN, 0};
  while (true) {
    if (int sig = Take()) return sig;
    // EINTR just goes round again: the deadline is absolute, so it never moves.
    int ready = PollUntil({&pfd, 1}, deadline);
    if (ready == 0) return 0;
    if (ready < 0 && errno != EINTR) return -1;
  }
}

}  // namespace linger
