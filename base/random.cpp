#include "base/random.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <openssl/rand.h>

namespace rosterd::base {

std::vector<unsigned char> random_bytes(std::size_t n) {
  std::vector<unsigned char> out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    std::abort();  // an unusable CSPRNG must never yield guessable tokens
  }
  return out;
}

std::string random_hex(std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  const auto bytes = random_bytes(n);
  std::string out;
  out.reserve(2 * n);
  for (unsigned char b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

std::string request_id() {
  // xoshiro256** seeded per thread from the CSPRNG: request ids are on every response, and the
  // CSPRNG's locking showed up at load; ids need uniqueness, not secrecy.
  thread_local std::uint64_t state[4] = {0, 0, 0, 0};
  thread_local bool seeded = false;
  if (!seeded) {
    const auto seed = random_bytes(sizeof state);
    std::memcpy(state, seed.data(), sizeof state);
    seeded = true;
  }
  auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const std::uint64_t result = rotl(state[1] * 5, 7) * 9;
  const std::uint64_t t = state[1] << 17;
  state[2] ^= state[0];
  state[3] ^= state[1];
  state[1] ^= state[2];
  state[0] ^= state[3];
  state[2] ^= t;
  state[3] = rotl(state[3], 45);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 0; i < 16; ++i) {
    out[static_cast<std::size_t>(i)] = digits[(result >> (60 - 4 * i)) & 0xf];
  }
  return out;
}

std::string base64url_encode(const unsigned char* data, std::size_t size) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8) | data[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  if (size - i == 1) {
    const unsigned v = unsigned{data[i]} << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
  } else if (size - i == 2) {
    const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
  }
  return out;
}

std::string random_base64url(std::size_t n) {
  const auto bytes = random_bytes(n);
  return base64url_encode(bytes.data(), bytes.size());
}

}  // namespace rosterd::base
