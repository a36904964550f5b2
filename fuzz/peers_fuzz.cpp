// PeerList::Parse (--ignore-from) on any bytes. Beyond not crashing: parsing is deterministic, a
// refusal is one line, and an accepted list holds each of its items, alone and together: every
// item parses by itself, and both lists contain the address it was written with.
#include "check.h"
#include "peers.h"
#include "text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  linger::Result<linger::PeerList> list = linger::PeerList::Parse(text, "--ignore-from");
  linger::Result<linger::PeerList> again = linger::PeerList::Parse(text, "--ignore-from");
  fuzz::Check(list.ok() == again.ok(), "'{}' parses differently twice", text);
  if (!list.ok()) {
    const std::string& message = list.error().message;
    fuzz::Check(!message.empty() && message.find('\n') == std::string::npos,
                "'{}' is refused without a one-line reason: '{}'", text, message);
    return 0;
  }
  for (std::string_view item : linger::Split(text)) {
    linger::Result<linger::PeerList> alone = linger::PeerList::Parse(item, "--ignore-from");
    fuzz::Check(alone.ok(), "'{}' is accepted in '{}' but not alone", item, text);
    std::optional<linger::IpAddress> address =
        linger::ParseIpAddress(item.substr(0, item.find('/')));
    fuzz::Check(address.has_value(), "'{}' is accepted with no address in it", item);
    fuzz::Check(list->Contains(*address) && alone->Contains(*address),
                "'{}' does not contain the address it was written with", item);
  }
  return 0;
}
