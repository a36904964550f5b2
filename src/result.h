// A value or the one-line reason there is none: errors are values, not exceptions. Every function
// that can fail returns a Result, Result<void> when it has nothing else to return.
#pragma once

#include <fmt/core.h>

#include <optional>
#include <string>
#include <utility>

#include "exit_status.h"

namespace linger {

// Why an operation failed, worded to follow "linger: ", and the exit status it leads to when it
// ends the command.
struct Error {
  std::string message;
  int status = kExitFailure;
};

// An Error whose exit status is the usage status 2: bad arguments or environment values.
inline Error UsageError(std::string message) { return Error{std::move(message), kExitUsage}; }

// Holds either a T or an Error. An Error converts to a Result of any type, so a failure is passed
// on as `return r.error();`.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  // True when a value is held.
  bool ok() const { return value_.has_value(); }
  // The value; only valid when ok().
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }
  // The reason; only meaningful when !ok().
  const Error& error() const { return error_; }

 private:
  std::optional<T> value_;
  Error error_;
};

// Success with nothing to return, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  // True when nothing failed.
  bool ok() const { return !error_; }
  // The reason; only valid when !ok().
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace linger

// An Error formats as its message, so that log lines can name it directly.
template <>
struct fmt::formatter<linger::Error> : fmt::formatter<fmt::string_view> {
  template <typename Context>
  auto format(const linger::Error& error, Context& context) const {
    return fmt::formatter<fmt::string_view>::format(error.message, context);
  }
};
