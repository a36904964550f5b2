// Built with linger's sanitizer flags: loses one allocation and returns 0, so LeakSanitizer must
// turn the exit into a failure with a report. Shows that leak checking is alive where linger runs.
#include <cstdio>
#include <cstdlib>

void* volatile lost;

int main(int argc, char**) {
  lost = std::malloc(static_cast<std::size_t>(argc) + 31);
  lost = nullptr;
  std::puts("leaked");
  return 0;
}
