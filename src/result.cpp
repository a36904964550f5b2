#include "result.h"

#include <cstring>

namespace linger {

// Out of line: formatting strerror at each of the many call sites would cost bytes in each.
Error Error::System(std::string_view what, int err) {
  if (what.empty()) return {std::strerror(err), ErrorKind::kSystem, err};
  return {fmt::format("{}: {}", what, std::strerror(err)), ErrorKind::kSystem, err};
}

Error Error::Exec(std::string_view what, int err) {
  return {fmt::format("{}: {}", what, std::strerror(err)), ErrorKind::kExec, err};
}

Error Error::In(std::string_view what) const {
  return {fmt::format("{}: {}", what, message), kind, code};
}

}  // namespace linger
