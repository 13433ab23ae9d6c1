#include "oauth/utf8.hpp"

#include <algorithm>

namespace rosterd::oauth {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

/// The length of the well-formed sequence a lead byte starts and the range its second byte
/// must fall in (Unicode Table 3-7); length 0 for a byte that cannot start one.
struct lead {
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
};

lead lead_of(unsigned char b) {
  if (b >= 0xC2 && b <= 0xDF) {
    return {2};
  }
  if (b == 0xE0) {
    return {3, 0xA0, 0xBF};  // no overlong forms
  }
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
    return {3};
  }
  if (b == 0xED) {
    return {3, 0x80, 0x9F};  // no surrogates
  }
  if (b == 0xF0) {
    return {4, 0x90, 0xBF};
  }
  if (b >= 0xF1 && b <= 0xF3) {
    return {4};
  }
  if (b == 0xF4) {
    return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  }
  return {};
}

}  // namespace

std::string repair_utf8(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::string_view piece;
    std::size_t next = i + 1;
    if (b < 0x80) {
      piece = text.substr(i, 1);
    } else {
      const lead l = lead_of(b);
      bool whole = l.length != 0;
      for (std::size_t k = 1; whole && k < l.length; ++k) {
        const unsigned char low = k == 1 ? l.low : 0x80;
        const unsigned char high = k == 1 ? l.high : 0xBF;
        const auto c = next < text.size() ? static_cast<unsigned char>(text[next]) : 0;
        whole = c >= low && c <= high;
        if (whole) {
          ++next;
        }
      }
      // On failure `next` stops at the first byte that does not fit: that byte starts over.
      piece = whole ? text.substr(i, next - i) : replacement;
    }
    if (out.size() + piece.size() > max_bytes) {
      break;
    }
    out.append(piece);
    i = next;
  }
  return out;
}

}  // namespace rosterd::oauth
