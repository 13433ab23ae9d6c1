#include "http/peer_slots.hpp"

#include <stdexcept>

namespace rosterd::http {

namespace ip = boost::asio::ip;

ip::address peer_slots::key_of(const ip::address& peer) {
  if (!peer.is_v6()) {
    return peer;
  }
  const auto v6 = peer.to_v6();
  if (v6.is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, v6);
  }
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) {
    bytes[i] = 0;
  }
  return ip::address_v6(bytes);
}

bool peer_slots::try_take(const ip::address& peer) {
  if (uncapped_ && uncapped_(peer)) {
    return true;
  }
  const auto key = key_of(peer);
  std::lock_guard lock(mutex_);
  auto& held = held_[key];
  if (held >= limit_) {
    if (held == 0) {
      held_.erase(key);  // a limit of 0 leaves no entry behind
    }
    return false;
  }
  ++held;
  return true;
}

void peer_slots::give_back(const ip::address& peer) {
  if (uncapped_ && uncapped_(peer)) {
    return;
  }
  const auto key = key_of(peer);
  std::lock_guard lock(mutex_);
  auto it = held_.find(key);
  if (it == held_.end()) {
    throw std::logic_error("peer_slots: a slot given back for " + key.to_string() +
                           " was never taken");
  }
  if (--it->second == 0) {
    held_.erase(it);
  }
}

std::size_t peer_slots::held_by(const ip::address& peer) const {
  std::lock_guard lock(mutex_);
  auto it = held_.find(key_of(peer));
  return it == held_.end() ? 0 : it->second;
}

std::size_t peer_slots::peers() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

}  // namespace rosterd::http
