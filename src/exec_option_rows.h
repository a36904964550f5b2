// The options of exec-with-delay: one table row each, read from flags and LINGER_* environment
// variables, and the rules between them. Pure.
#pragma once

#include <span>

#include "cli.h"
#include "exec_options.h"

namespace linger {

// exec-with-delay's option table.
std::span<const OptionRow<ExecOptions>> ExecOptionRows();

// The rules between options that no single row can check: the ready options need a ready port,
// and the ready port is never a serving port. A usage error says which.
Result<void> CheckExecOptions(const ExecOptions& options);

}  // namespace linger
