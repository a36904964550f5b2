#include "signal_names.h"

#include <fmt/format.h>
#include <signal.h>

#include <cstdint>
#include <optional>

#include "text.h"

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

}  // namespace linger
