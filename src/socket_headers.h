// The socket headers, for files inside namespace linger: <sys/socket.h> declares `struct linger`
// (for SO_LINGER) at global scope, which collides with the namespace. Include this instead of
// <sys/socket.h>, <netinet/in.h> or <arpa/inet.h>; they are guarded, so later includes are no-ops.
#pragma once

#define linger linger_socket_option
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#undef linger
