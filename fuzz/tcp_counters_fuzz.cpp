// ParseTcpCounters (/proc/net/snmp) on any bytes. Beyond not crashing: it is deterministic, and
// lines that are not the Tcp lines never change what the Tcp lines say: the fuzzer's lines, with
// any "Tcp:" line taken out, are put before two Tcp lines whose counters come from its first
// bytes, and those counters must be read back exactly.
#include <cstring>
#include <string>

#include "check.h"
#include "idle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  std::optional<linger::TcpCounters> first = linger::ParseTcpCounters(text);
  std::optional<linger::TcpCounters> again = linger::ParseTcpCounters(text);
  fuzz::Check(first == again, "'{}' parses differently twice", text);

  linger::TcpCounters want;
  if (size >= 16) {
    std::memcpy(&want.passive_opens, data, 8);
    std::memcpy(&want.in_segs, data + 8, 8);
  }
  std::string snmp;
  for (std::string_view rest = text; !rest.empty();) {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (!line.starts_with("Tcp:")) snmp.append(line).append("\n");
  }
  snmp += fmt::format("Tcp: RtoAlgorithm PassiveOpens AttemptFails InSegs\nTcp: 1 {} 0 {}\n",
                      want.passive_opens, want.in_segs);
  std::optional<linger::TcpCounters> got = linger::ParseTcpCounters(snmp);
  fuzz::Check(got == want, "the Tcp lines after '{}' are misread", text);
  return 0;
}
