// A TCP listener of linger's own in the pod's network namespace (the ready port), which
// --until-idle must not take for the app's.
#pragma once

#include <cstdint>

namespace linger {

// What the traffic watch needs to know of linger's own listener.
class OwnListener {
 public:
  virtual ~OwnListener() = default;
  // Its port: never a serving port.
  virtual int port() const = 0;
  // The connections the kernel has accepted on it so far, those still waiting in its accept queue
  // included: the part of the namespace's PassiveOpens counter that is not the app's traffic.
  virtual std::uint64_t Opens() const = 0;
};

}  // namespace linger
