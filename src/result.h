// A value or the one-line reason there is none: errors are values, not exceptions. Every function
// that can fail returns a Result, Result<void> when it has nothing else to return.
#pragma once

#include <fmt/core.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace linger {

// What kind of failure an Error is: what its callers decide by. The exit status it leads to is
// decided in one place, ExitStatusFor (exit_status.h).
enum class ErrorKind {
  kFailed,    // failed at run time, for a reason no caller tells apart from others
  kInvalid,   // a value does not parse; the command line makes it a usage error
  kUsage,     // a bad command line or environment value: exit status 2
  kTimedOut,  // the deadline came first
  kStopped,   // a stop signal ended the wait; `code` is the signal when it has been read, else 0
  kSystem,    // a system call failed; `code` is its errno
  kNotFound,  // no such file, host or name
  kExec,      // COMMAND did not run; `code` is the errno: 127 when not found, else 126
};

// Why an operation failed, worded to follow "linger: ".
struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::kFailed;
  int code = 0;

  static Error Invalid(std::string message) { return {std::move(message), ErrorKind::kInvalid}; }
  static Error Usage(std::string message) { return {std::move(message), ErrorKind::kUsage}; }
  static Error TimedOut(std::string message) { return {std::move(message), ErrorKind::kTimedOut}; }
  static Error Stopped(std::string message, int sig = 0) {
    return {std::move(message), ErrorKind::kStopped, sig};
  }
  static Error NotFound(std::string message) { return {std::move(message), ErrorKind::kNotFound}; }
  // "WHAT: strerror(err)", as `what` names the call or what it failed on; strerror alone when
  // `what` is empty, for a caller that names it.
  static Error System(std::string_view what, int err);
  // "WHAT: strerror(err)" for COMMAND that could not be run.
  static Error Exec(std::string_view what, int err);

  // The same failure as "WHAT: message", for a caller that knows what failed.
  Error In(std::string_view what) const;
};

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
