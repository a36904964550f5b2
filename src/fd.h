// A file descriptor that closes itself.
#pragma once

#include <unistd.h>

#include <utility>

namespace linger {

// Owns one descriptor; -1 means none.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  // The descriptor, still owned.
  int get() const { return fd_; }
  // True when a descriptor is held.
  explicit operator bool() const { return fd_ >= 0; }
  // Gives the descriptor up, unclosed, to a caller that closes it itself.
  int Release() { return std::exchange(fd_, -1); }
  // Closes the descriptor; close(2) errors are not actionable here, the descriptor is gone anyway.
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace linger
