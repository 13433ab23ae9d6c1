#pragma once
// Counts the open connections of each client address, so that one client cannot take every
// connection the server allows and lock everyone else out.

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

#include <boost/asio/ip/address.hpp>

namespace rosterd::http {

class peer_slots {
 public:
  using exemption = std::function<bool(const boost::asio::ip::address&)>;

  /// `uncapped` (may be empty) names peers that are never counted or refused.
  explicit peer_slots(std::size_t per_peer_limit, exemption uncapped = {})
      : limit_(per_peer_limit), uncapped_(std::move(uncapped)) {}

  /// Takes a slot for `peer`; false, and nothing taken, when it already holds the limit.
  /// Always true for an uncapped peer, which holds no slot.
  bool try_take(const boost::asio::ip::address& peer);
  /// Returns a slot taken by try_take (nothing for an uncapped peer). Returning one that was
  /// never taken is a wiring bug (std::logic_error): the counts would drift and the cap would
  /// stop meaning anything.
  void give_back(const boost::asio::ip::address& peer);

  [[nodiscard]] std::size_t held_by(const boost::asio::ip::address& peer) const;
  /// Addresses holding at least one slot.
  [[nodiscard]] std::size_t peers() const;

  /// The address a peer is counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64,
  /// because one host or one site's network normally has a whole /64 to pick addresses from.
  static boost::asio::ip::address key_of(const boost::asio::ip::address& peer);

 private:
  std::size_t limit_;
  exemption uncapped_;
  mutable std::mutex mutex_;
  std::map<boost::asio::ip::address, std::size_t> held_;  ///< only addresses holding slots
};

}  // namespace rosterd::http
