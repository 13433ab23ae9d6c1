#include "tests/support/notify_socket.hpp"

#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace rosterd::testing {

notify_socket::notify_socket(const std::filesystem::path& path) : path_(path) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof addr.sun_path) {
    throw std::runtime_error("notify socket path too long");
  }
  std::strcpy(addr.sun_path, path.c_str());
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind notify socket");
  }
}

notify_socket::~notify_socket() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

std::optional<std::string> notify_socket::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
    return std::nullopt;
  }
  char buf[4096];
  const auto n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0) {
    return std::nullopt;
  }
  history_.emplace_back(buf, static_cast<std::size_t>(n));
  return history_.back();
}

std::optional<std::string> notify_socket::wait_for(const std::string& needle,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return std::nullopt;
    }
    auto message = receive(left);
    if (message && message->find(needle) != std::string::npos) {
      return message;
    }
  }
}

void notify_socket::drain(std::chrono::milliseconds window) {
  const auto deadline = std::chrono::steady_clock::now() + window;
  while (std::chrono::steady_clock::now() < deadline) {
    receive(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
  }
}

std::string notify_field(const std::string& message, const std::string& key) {
  const std::string prefix = key + "=";
  std::size_t start = 0;
  while (start < message.size()) {
    const auto end = message.find('\n', start);
    const auto line =
        message.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.rfind(prefix, 0) == 0) {
      return line.substr(prefix.size());
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return {};
}

}  // namespace rosterd::testing
