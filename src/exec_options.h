// What exec-with-delay is asked to do, as the supervisor reads it; the command line fills it in
// through the rows of exec_option_rows.h. Pure.
#pragma once

#include <signal.h>

#include <optional>
#include <vector>

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

}  // namespace linger
