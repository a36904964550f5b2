#include "exec_option_rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>

#include "idle_option_rows.h"
#include "signal_names.h"
#include "text.h"

namespace linger {
namespace {

constexpr OptionRow<ExecOptions> kOwnRows[] = {
    {{"delay", "D", "LINGER_DELAY",
      "how long COMMAND keeps running after the stop signal\n(default 20s)"},
     SetDuration<&ExecOptions::delay>},
    {{"delay-on", "LIST", "LINGER_DELAY_ON",
      "signals to hold back, e.g. TERM or QUIT,TERM\n(default TERM)"},
     [](ExecOptions& options, std::string_view value) -> Result<void> {
       Result<std::vector<int>> list = ParseSignalList(value);
       if (!list.ok()) return list.error();
       for (int sig : *list) {
         // linger can only hold back what it receives: KILL and STOP never reach it, and SIGCHLD
         // reports COMMAND's own exit.
         if (!IsForwardable(sig)) {
           return Error::Invalid(
               fmt::format("{} cannot be held back (in '{}')", SignalName(sig), Printable(value)));
         }
       }
       options.delay_on = *list;
       return {};
     }},
    {{"signal", "SIG", "LINGER_SIGNAL",
      "what COMMAND gets when the delay ends, e.g. QUIT\n(default: the signal received)"},
     [](ExecOptions& options, std::string_view value) -> Result<void> {
       Result<int> sig = ParseSignal(value);
       if (!sig.ok()) return sig.error();
       options.signal = *sig;
       return {};
     }},
    {{"kill-after", "D", "LINGER_KILL_AFTER",
      "SIGKILL COMMAND if it still runs D after its stop signal\n(default: never)"},
     SetDuration<&ExecOptions::kill_after>},
    {{"success-exit", "LIST", "LINGER_SUCCESS_EXIT",
      "exit statuses reported as 0, e.g. 143 or 130,143"},
     [](ExecOptions& options, std::string_view value) -> Result<void> {
       Result<IntList> list = IntList::Parse(value, 0, 255, "exit status list");
       if (!list.ok()) return list.error();
       options.success_exit = *list;
       return {};
     }},
    {{"group", "", nullptr,
      "signal COMMAND's whole process group (COMMAND leads a\nnew group and takes the terminal)"},
     [](ExecOptions& options, std::string_view) -> Result<void> {
       options.group = true;
       return {};
     }},
};

// The ready port, for load balancers that only learn from health checks.
constexpr OptionRow<ExecOptions> kReadyRows[] = {
    {{"ready-port", "PORT", "LINGER_READY_PORT",
      "answer HTTP health checks on PORT: 200 until the stop\nsignal, 503 from then on"},
     [](ExecOptions& options, std::string_view value) {
       return SetReadyPort(options.ready, value);
     }},
    {{"ready-url", "URL", "LINGER_READY_URL",
      "before the stop signal, answer with the app's own\nreadiness at this http:// URL"},
     [](ExecOptions& options, std::string_view value) {
       return SetReadyUrl(options.ready, value);
     }},
    {{"ready-fail-after", "D", "LINGER_READY_FAIL_AFTER",
      "start answering 503 D after the stop signal\n(default 0)"},
     [](ExecOptions& options, std::string_view value) -> Result<void> {
       Result<Duration> d = ParseDuration(value);
       if (!d.ok()) return d.error();
       options.ready.fail_after = *d;
       return {};
     }},
};

// Its own rows, those it shares with sleep, then the ready port's.
constexpr auto kRows =
    JoinRows(JoinRows(std::to_array(kOwnRows), IdleOptionRows<ExecOptions>(true)),
             std::to_array(kReadyRows));

}  // namespace

std::span<const OptionRow<ExecOptions>> ExecOptionRows() { return kRows; }

Result<void> CheckExecOptions(const ExecOptions& options) {
  const ReadyOptions& ready = options.ready;
  if (ready.port == 0 && (ready.url || ready.fail_after != Duration{})) {
    return Error::Usage("--ready-url and --ready-fail-after need --ready-port");
  }
  // Its health checks would keep --until-idle's delay busy until the load balancer gives up.
  if (ready.port != 0 && options.idle.ports && options.idle.ports->Contains(ready.port)) {
    return Error::Usage(
        fmt::format("--ports: the ready port {} is not a serving port", ready.port));
  }
  return {};
}

}  // namespace linger
