#include "roster/text.hpp"

#include <array>

namespace rosterd::roster {
namespace {

// Multi-byte invisible spaces, in UTF-8.
constexpr std::array<std::string_view, 3> invisible = {"\xC2\xA0", "\xE2\x80\x8B", "\xEF\xBB\xBF"};

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool strip_front(std::string_view& text) {
  if (!text.empty() && is_ascii_space(text.front())) {
    text.remove_prefix(1);
    return true;
  }
  for (const auto space : invisible) {
    if (text.starts_with(space)) {
      text.remove_prefix(space.size());
      return true;
    }
  }
  return false;
}

bool strip_back(std::string_view& text) {
  if (!text.empty() && is_ascii_space(text.back())) {
    text.remove_suffix(1);
    return true;
  }
  for (const auto space : invisible) {
    if (text.ends_with(space)) {
      text.remove_suffix(space.size());
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view trim(std::string_view text) noexcept {
  while (strip_front(text)) {
  }
  while (strip_back(text)) {
  }
  return text;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

bool equals_ignoring_case(std::string_view text, std::string_view lower) noexcept {
  if (text.size() != lower.size()) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c =
        text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (c != lower[i]) {
      return false;
    }
  }
  return true;
}

bool has_control_character(std::string_view text) noexcept {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20U || byte == 0x7FU) {
      return true;
    }
  }
  return false;
}

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) -> unsigned {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0U;
  };
  const auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
  const unsigned b0 = byte(0);
  if (b0 < 0x80U) {
    return 1;
  }
  if (in(b0, 0xC2U, 0xDFU)) {
    return in(byte(1), 0x80U, 0xBFU) ? 2 : 0;
  }
  if (in(b0, 0xE0U, 0xEFU)) {
    const unsigned lo = b0 == 0xE0U ? 0xA0U : 0x80U;
    const unsigned hi = b0 == 0xEDU ? 0x9FU : 0xBFU;
    return in(byte(1), lo, hi) && in(byte(2), 0x80U, 0xBFU) ? 3 : 0;
  }
  if (in(b0, 0xF0U, 0xF4U)) {
    const unsigned lo = b0 == 0xF0U ? 0x90U : 0x80U;
    const unsigned hi = b0 == 0xF4U ? 0x8FU : 0xBFU;
    return in(byte(1), lo, hi) && in(byte(2), 0x80U, 0xBFU) && in(byte(3), 0x80U, 0xBFU) ? 4 : 0;
  }
  return 0;
}

}  // namespace rosterd::roster
