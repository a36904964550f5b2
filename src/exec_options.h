// The options of exec-with-delay: one table row each, read from flags and LINGER_* environment
// variables. Pure.
#pragma once

#include <signal.h>

#include <optional>
#include <span>
#include <vector>

#include "cli.h"
#include "duration.h"
#include "idle.h"
#include "int_list.h"
#include "ready.h"

namespace linger {

// What exec-with-delay does.
struct ExecOptions {
  Duration delay = std::chrono::seconds(20);  // COMMAND keeps running this long after the signal
  std::vector<int> delay_on = {SIGTERM};      // signals that are held back
  int signal = 0;                             // sent when the delay ends; 0: the held-back one
  std::optional<Duration> kill_after;         // SIGKILL this long after the stop signal
  IntList success_exit;                       // statuses reported as 0
  bool group = false;                         // signal COMMAND's whole process group
  IdleOptions idle;                           // --until-idle, --ports, --ignore-from
  ReadyOptions ready;                         // --ready-port, --ready-url, --ready-fail-after
};

// exec-with-delay's option table.
std::span<const OptionRow<ExecOptions>> ExecOptionRows();

// The rules between options that no single row can check: the ready options need a ready port,
// and the ready port is never a serving port. A usage error says which.
Result<void> CheckExecOptions(const ExecOptions& options);

}  // namespace linger
