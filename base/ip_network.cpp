#include "base/ip_network.hpp"

#include <charconv>
#include <optional>
#include <vector>

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

std::string_view to_string(address_scope s) noexcept {
  switch (s) {
    case address_scope::global:
      return "global";
    case address_scope::loopback:
      return "loopback";
    case address_scope::private_use:
      return "private";
    case address_scope::link_local:
      return "link-local";
    case address_scope::shared_cgnat:
      return "carrier-grade NAT";
    case address_scope::unspecified:
      return "unspecified";
    case address_scope::multicast:
      return "multicast";
    case address_scope::reserved:
      return "reserved";
  }
  return "reserved";
}

namespace {

struct scoped_block {
  const char* block;
  address_scope scope;
};

// Most specific first where blocks nest.
constexpr scoped_block v4_blocks[] = {
    {"0.0.0.0/8", address_scope::unspecified},      {"10.0.0.0/8", address_scope::private_use},
    {"100.64.0.0/10", address_scope::shared_cgnat}, {"127.0.0.0/8", address_scope::loopback},
    {"169.254.0.0/16", address_scope::link_local},  {"172.16.0.0/12", address_scope::private_use},
    {"192.0.0.0/24", address_scope::reserved},      {"192.0.2.0/24", address_scope::reserved},
    {"192.88.99.0/24", address_scope::reserved},    {"192.168.0.0/16", address_scope::private_use},
    {"198.18.0.0/15", address_scope::reserved},     {"198.51.100.0/24", address_scope::reserved},
    {"203.0.113.0/24", address_scope::reserved},    {"224.0.0.0/4", address_scope::multicast},
    {"240.0.0.0/4", address_scope::reserved},  // with 255.255.255.255, the broadcast address
};

constexpr scoped_block v6_blocks[] = {
    {"::/128", address_scope::unspecified},
    {"::1/128", address_scope::loopback},
    {"::/96", address_scope::reserved},  // the deprecated IPv4-compatible form
    {"100::/64", address_scope::reserved},
    {"2001::/23", address_scope::reserved},  // IETF protocol assignments, Teredo, ORCHIDs
    {"2001:db8::/32", address_scope::reserved},
    {"fc00::/7", address_scope::private_use},
    {"fe80::/10", address_scope::link_local},
    {"fec0::/10", address_scope::link_local},  // deprecated site-local
    {"ff00::/8", address_scope::multicast},
};

struct parsed_block {
  ip_network network;
  address_scope scope;
};

template <std::size_t N>
std::vector<parsed_block> parsed(const scoped_block (&blocks)[N]) {
  std::vector<parsed_block> out;
  for (const auto& b : blocks) {
    out.push_back({parse_ip_network(b.block).value(), b.scope});
  }
  return out;
}

std::optional<address_scope> match(const std::vector<parsed_block>& blocks, const ip::address& a) {
  for (const auto& b : blocks) {
    if (b.network.contains(a)) {
      return b.scope;
    }
  }
  return std::nullopt;
}

address_scope v4_scope(const ip::address_v4& a) {
  static const auto table = parsed(v4_blocks);
  return match(table, ip::address(a)).value_or(address_scope::global);
}

}  // namespace

address_scope scope_of(const ip::address& a) {
  const auto plain = without_v4_mapping(a);
  if (plain.is_v4()) {
    return v4_scope(plain.to_v4());
  }
  const auto bytes = plain.to_v6().to_bytes();
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they carry.
  static const auto nat64 = parse_ip_network("64:ff9b::/96").value();
  if (nat64.contains(plain)) {
    return v4_scope(ip::address_v4({bytes[12], bytes[13], bytes[14], bytes[15]}));
  }
  static const auto six_to_four = parse_ip_network("2002::/16").value();
  if (six_to_four.contains(plain)) {
    return v4_scope(ip::address_v4({bytes[2], bytes[3], bytes[4], bytes[5]}));
  }
  static const auto table = parsed(v6_blocks);
  return match(table, plain).value_or(address_scope::global);
}

}  // namespace rosterd::base
