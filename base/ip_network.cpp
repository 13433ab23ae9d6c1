#include "base/ip_network.hpp"

#include <charconv>

namespace rosterd::base {
namespace {

namespace ip = boost::asio::ip;

/// The first `prefix` bits of `a` equal those of `b` (same family, as bytes).
template <class Bytes>
bool same_prefix(const Bytes& a, const Bytes& b, unsigned prefix) {
  for (std::size_t i = 0; i < a.size() && prefix > 0; ++i) {
    const unsigned bits = prefix >= 8 ? 8 : prefix;
    const auto mask = static_cast<unsigned char>(0xFF << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) {
      return false;
    }
    prefix -= bits;
  }
  return true;
}

/// `a` with every bit after the first `prefix` cleared.
ip::address masked(const ip::address& a, unsigned prefix) {
  const auto clear = [prefix](auto bytes) {
    for (unsigned bit = prefix; bit < bytes.size() * 8; ++bit) {
      bytes[bit / 8] &= static_cast<unsigned char>(~(0x80U >> (bit % 8)));
    }
    return bytes;
  };
  if (a.is_v4()) {
    return ip::address_v4(clear(a.to_v4().to_bytes()));
  }
  return ip::address_v6(clear(a.to_v6().to_bytes()));
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

ip::address without_v4_mapping(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}

bool ip_network::contains(const ip::address& a) const {
  const auto candidate = without_v4_mapping(a);
  if (candidate.is_v4() != base.is_v4()) {
    return false;
  }
  if (candidate.is_v4()) {
    return same_prefix(candidate.to_v4().to_bytes(), base.to_v4().to_bytes(), prefix_length);
  }
  return same_prefix(candidate.to_v6().to_bytes(), base.to_v6().to_bytes(), prefix_length);
}

base::result<ip_network> parse_ip_network(std::string_view text) {
  const auto slash = text.find('/');
  const auto address_text = text.substr(0, slash);
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(address_text), ec);
  if (ec) {
    return fail(std::errc::invalid_argument,
                "\"" + std::string(text) +
                    "\" is not a numeric IP address or block such as \"10.0.0.5\", "
                    "\"192.168.0.0/16\" or \"fd00::/8\"");
  }
  const unsigned family_bits = address.is_v4() ? 32 : 128;
  unsigned prefix = family_bits;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    auto [end, perr] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (!all_digits(digits) || perr != std::errc() || end != digits.data() + digits.size() ||
        prefix > family_bits) {
      return fail(std::errc::invalid_argument, "\"" + std::string(text) +
                                                   "\": the prefix length after / must be 0 to " +
                                                   std::to_string(family_bits));
    }
  }
  // A mapped IPv6 block is its IPv4 block: peers are compared as IPv4 (see contains()).
  if (address.is_v6() && address.to_v6().is_v4_mapped() && prefix >= 96) {
    address = without_v4_mapping(address);
    prefix -= 96;
  }
  const auto block = masked(address, prefix);
  if (block != address) {
    return fail(std::errc::invalid_argument,
                "\"" + std::string(text) + "\" has bits set after the first " +
                    std::to_string(prefix) + "; did you mean \"" + block.to_string() + "/" +
                    std::to_string(prefix) + "\"?");
  }
  return ip_network{address, prefix};
}

}  // namespace rosterd::base
