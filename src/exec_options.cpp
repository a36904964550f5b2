#include "exec_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>

#include "signals.h"
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
           return UsageError(
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

// Its own rows, then those it shares with sleep.
constexpr auto kRows = JoinRows(std::to_array(kOwnRows), IdleOptionRows<ExecOptions>(true));

}  // namespace

std::span<const OptionRow<ExecOptions>> ExecOptionRows() { return kRows; }

}  // namespace linger
