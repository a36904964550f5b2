// Addresses written as text in the unit tests.
#pragma once

#include "net/ip_address.h"

namespace test {

// The address that `text`, a literal of the test, names.
inline linger::IpAddress Ip(const char* text) { return *linger::ParseIpAddress(text); }

}  // namespace test
