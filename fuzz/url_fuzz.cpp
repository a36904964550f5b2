// ParseUrl on any bytes. Beyond not crashing: what it accepts can go into a request line as is (no
// space, control character or DEL in the host, Host header or target), the target starts with
// '/', and the URL rebuilt from the Host header and target parses to the same thing.
#include <string>

#include "check.h"
#include "net/url.h"

namespace {

bool Sendable(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::AsText(data, size);
  linger::Result<linger::Url> url = linger::ParseUrl(text);
  if (!url.ok()) {
    fuzz::Check(!url.error().message.empty(), "'{}' is refused without a reason", text);
    return 0;
  }
  fuzz::Check(!url->host.empty(), "'{}' has no host", text);
  fuzz::Check(Sendable(url->host) && Sendable(url->authority) && Sendable(url->target),
              "'{}' gives a request that would break the request line", text);
  fuzz::Check(url->target.starts_with('/'), "'{}' gives target '{}'", text, url->target);

  std::string rebuilt = (url->tls ? "https://" : "http://") + url->authority + url->target;
  linger::Result<linger::Url> again = linger::ParseUrl(rebuilt);
  fuzz::Check(again.ok(), "'{}' rebuilt as '{}' is refused: {}", text, rebuilt, again.error());
  fuzz::Check(again->host == url->host && again->port == url->port && again->tls == url->tls &&
                  again->authority == url->authority && again->target == url->target,
              "'{}' rebuilt as '{}' parses differently", text, rebuilt);
  return 0;
}
