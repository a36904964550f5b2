// The few out-of-line functions that linger's code reaches in the C++ runtime, for the shipped
// binary only (cmake/Musl.cmake). It uses libc++ as headers alone, with musl and without
// exceptions; these functions would otherwise come from libc++.so and libc++abi, which Debian
// builds for glibc. A new one shows up as an undefined symbol when linking the release preset.
#include <time.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

// Allocation on musl's malloc. Without exceptions there is no std::bad_alloc to throw, and linger
// cannot do its work without the memory, so running out of it aborts. Replaceable forms: the
// scalar and array ones, sized or not, so that whatever the compiler emits for `delete` links.
void* operator new(std::size_t size) {
  void* memory = std::malloc(size == 0 ? 1 : size);
  if (memory == nullptr) std::abort();
  return memory;
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }

// fmt's assertion handler (its only path when formatting fails: see FMT_THROW in
// cmake/Musl.cmake) ends with std::terminate, which lives in libc++abi. There is no handler to
// call: abort, as the default handler does.
void std::terminate() noexcept { std::abort(); }

// Deadlines and elapsed times read std::chrono::steady_clock, whose now() is compiled into
// libc++.so: the monotonic clock, which never jumps with the wall clock.
std::chrono::steady_clock::time_point std::chrono::steady_clock::now() noexcept {
  timespec now;
  // CLOCK_MONOTONIC exists on every kernel linger runs on; without it no deadline means anything.
  if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) std::abort();
  return time_point(std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec));
}

// The date certificates are checked against (net/tls.cpp) reads std::chrono::system_clock, whose
// now() is compiled into libc++.so too: the wall clock.
std::chrono::system_clock::time_point std::chrono::system_clock::now() noexcept {
  timespec now;
  if (clock_gettime(CLOCK_REALTIME, &now) != 0) std::abort();
  return time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec)));
}

// Debian's libbearssl.a is built for glibc with _FORTIFY_SOURCE: it calls the checked variants of
// the memcpy family, which musl does not have. Same contract: abort when the copy would overflow.
extern "C" void* __memcpy_chk(void* to, const void* from, std::size_t n, std::size_t room) {
  if (n > room) std::abort();
  return std::memcpy(to, from, n);
}
extern "C" void* __memmove_chk(void* to, const void* from, std::size_t n, std::size_t room) {
  if (n > room) std::abort();
  return std::memmove(to, from, n);
}
extern "C" void* __memset_chk(void* to, int c, std::size_t n, std::size_t room) {
  if (n > room) std::abort();
  return std::memset(to, c, n);
}
