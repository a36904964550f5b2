// Built with linger's sanitizer flags: overflows a signed int, then prints "continued" and exits 0
// unless UBSan stopped it there, as -fno-sanitize-recover must make it do.
#include <climits>
#include <cstdio>

int main(int argc, char**) {
  int value = INT_MAX;
  value += argc;
  std::printf("continued with %d\n", value);
  return 0;
}
