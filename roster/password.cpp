#include "roster/password.hpp"

#include <argon2.h>
#include <array>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <vector>

#include "base/random.hpp"
#include "roster/error.hpp"
#include "roster/text.hpp"

namespace rosterd::roster {
namespace {

constexpr std::size_t salt_bytes = 16;
constexpr std::size_t hash_bytes = 32;
// Unpadded base64 lengths in the PHC string.
constexpr std::size_t salt_chars = (salt_bytes * 4 + 2) / 3;
constexpr std::size_t hash_chars = (hash_bytes * 4 + 2) / 3;

// A short stand-in for a breached-password check: 12+ character patterns that recur near the top
// of public breach lists (digit runs, keyboard walks, "password" plus digits). Shorter ones
// already fail the length rule. Compared ignoring ASCII case.
constexpr std::string_view common_passwords[] = {
    "123456789012",   "1234567890123",    "12345678901234", "123456123456",
    "123123123123",   "121212121212",     "123qweasdzxc",   "1q2w3e4r5t6y",
    "1qaz2wsx3edc",   "1qaz2wsx3edc4rfv", "zaq12wsxcde3",   "qwertyuiop12",
    "qwertyuiop123",  "qwerty123456",     "qwertyqwerty",   "qwertyuiopasdfghjkl",
    "asdfghjkl123",   "asdfasdfasdf",     "qazwsxedcrfv",   "abcdefghijkl",
    "abc123abc123",   "abcd1234abcd",     "password1234",   "password12345",
    "password123456", "passwordpassword", "password123!",   "p@ssw0rd1234",
    "iloveyou1234",   "welcome12345",     "letmein12345",   "changeme1234",
    "administrator",  "administrator1",   "football1234",   "baseball1234",
    "princess1234",   "sunshine1234",     "monkey123456",   "correcthorsebatterystaple",
};

struct utf8_summary {
  bool valid = true;
  std::size_t code_points = 0;
  bool one_repeated = true;  // every code point equals the first
};

utf8_summary summarize_utf8(std::string_view text) {
  utf8_summary out;
  std::string_view first;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out.valid = false;
      return out;
    }
    const std::string_view current = text.substr(i, length);
    if (first.empty()) {
      first = current;
    } else if (current != first) {
      out.one_repeated = false;
    }
    ++out.code_points;
    i += length;
  }
  return out;
}

std::optional<std::uint32_t> parse_number(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      (text.size() > 1 && text.front() == '0')) {
    return std::nullopt;
  }
  return value;
}

// Consumes `key=<number>` followed by `separator` (or the end when separator is '\0').
std::optional<std::uint32_t> take_parameter(std::string_view& text, std::string_view key,
                                            char separator) {
  if (!text.starts_with(key)) {
    return std::nullopt;
  }
  text.remove_prefix(key.size());
  const std::size_t end = separator == '\0' ? text.size() : text.find(separator);
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  auto value = parse_number(text.substr(0, end));
  text.remove_prefix(separator == '\0' ? end : end + 1);
  return value;
}

bool is_base64_text(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) {
      return false;
    }
  }
  return !text.empty();
}

struct phc_fields {
  password_cost cost;
  std::size_t salt_length = 0;  // base64 characters
  std::size_t hash_length = 0;
};

// Accepts only what libargon2 writes for Argon2id v19: `$argon2id$v=19$m=M,t=T,p=P$salt$hash`.
std::optional<phc_fields> parse_phc(std::string_view phc) {
  constexpr std::string_view head = "$argon2id$v=19$";
  if (!phc.starts_with(head)) {
    return std::nullopt;
  }
  phc.remove_prefix(head.size());
  phc_fields out;
  const auto m = take_parameter(phc, "m=", ',');
  const auto t = m ? take_parameter(phc, "t=", ',') : std::nullopt;
  const auto p = t ? take_parameter(phc, "p=", '$') : std::nullopt;
  if (!p) {
    return std::nullopt;
  }
  out.cost = {*m, *t, *p};
  const std::size_t dollar = phc.find('$');
  if (dollar == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view salt = phc.substr(0, dollar);
  const std::string_view hash = phc.substr(dollar + 1);
  if (!is_base64_text(salt) || !is_base64_text(hash)) {
    return std::nullopt;
  }
  out.salt_length = salt.size();
  out.hash_length = hash.size();
  return out;
}

std::string cost_range_detail(std::string_view field, std::uint32_t value, std::uint32_t low,
                              std::uint32_t high) {
  return "password hashing cost " + std::string(field) + "=" + std::to_string(value) +
         " is outside " + std::to_string(low) + ".." + std::to_string(high) +
         " (OWASP minimum for Argon2id: memory_kib=19456, iterations=2, parallelism=1)";
}

base::failure weak(std::string detail) {
  return base::reject(errc::weak_password, std::move(detail));
}

}  // namespace

base::result<void> check_password_cost(const password_cost& cost) {
  constexpr auto low = minimum_password_cost;
  constexpr auto high = maximum_password_cost;
  if (cost.memory_kib < low.memory_kib || cost.memory_kib > high.memory_kib) {
    return base::fail(errc::invalid_argument, cost_range_detail("memory_kib", cost.memory_kib,
                                                                low.memory_kib, high.memory_kib));
  }
  if (cost.iterations < low.iterations || cost.iterations > high.iterations) {
    return base::fail(errc::invalid_argument, cost_range_detail("iterations", cost.iterations,
                                                                low.iterations, high.iterations));
  }
  if (cost.parallelism < low.parallelism || cost.parallelism > high.parallelism) {
    return base::fail(errc::invalid_argument, cost_range_detail("parallelism", cost.parallelism,
                                                                low.parallelism, high.parallelism));
  }
  return {};
}

base::result<std::string> hash_password(const base::secret& password, const password_cost& cost) {
  if (auto ok = check_password_cost(cost); !ok) {
    return ok.error();
  }
  const auto salt = base::random_bytes(salt_bytes);
  std::string encoded(argon2_encodedlen(cost.iterations, cost.memory_kib, cost.parallelism,
                                        salt_bytes, hash_bytes, Argon2_id),
                      '\0');
  const auto pw = password.reveal();
  const int rc = argon2id_hash_encoded(cost.iterations, cost.memory_kib, cost.parallelism,
                                       pw.data(), pw.size(), salt.data(), salt.size(), hash_bytes,
                                       encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    throw std::runtime_error(std::string("argon2id hashing failed: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));  // argon2_encodedlen counts the terminator
  return encoded;
}

bool verify_password(const base::secret& password, std::string_view phc) {
  const auto fields = parse_phc(phc);
  // Only the maxima: a hash below today's minimum still verifies, and needs_rehash replaces it.
  constexpr auto high = maximum_password_cost;
  if (!fields || fields->cost.memory_kib > high.memory_kib ||
      fields->cost.iterations > high.iterations || fields->cost.parallelism > high.parallelism) {
    return false;
  }
  const std::string terminated(phc);  // libargon2 wants a C string
  const auto pw = password.reveal();
  return argon2id_verify(terminated.c_str(), pw.data(), pw.size()) == ARGON2_OK;
}

bool needs_rehash(std::string_view phc, const password_cost& cost) {
  const auto fields = parse_phc(phc);
  return !fields || fields->cost != cost || fields->salt_length != salt_chars ||
         fields->hash_length != hash_chars;
}

bool spend_equal_time(const base::secret& password, const password_cost& cost) {
  // Hashing is the whole cost of a verification (it rehashes and compares), so one hash with a
  // throwaway salt takes as long as checking a real account's password at this cost.
  if (!check_password_cost(cost)) {
    return false;
  }
  const auto salt = base::random_bytes(salt_bytes);
  std::array<unsigned char, hash_bytes> out{};
  const auto pw = password.reveal();
  return argon2id_hash_raw(cost.iterations, cost.memory_kib, cost.parallelism, pw.data(), pw.size(),
                           salt.data(), salt.size(), out.data(), out.size()) == ARGON2_OK;
}

base::result<void> check_password_policy(const base::secret& password) {
  const std::string_view text = password.reveal();
  const utf8_summary summary = summarize_utf8(text);
  if (!summary.valid) {
    return weak("The password contains bytes that are not UTF-8 text.");
  }
  if (summary.code_points < min_password_characters) {
    return weak(
        "Use at least 12 characters. A few unrelated words make a long password that is "
        "easy to remember.");
  }
  if (text.size() > max_password_bytes) {
    return weak("Use at most 1024 bytes (1024 characters without accents or other scripts).");
  }
  if (summary.one_repeated) {
    return weak("The password repeats a single character; choose one that is harder to guess.");
  }
  for (std::string_view common : common_passwords) {
    if (equals_ignoring_case(text, common)) {
      return weak("This password is among the most commonly used ones; choose another.");
    }
  }
  return {};
}

}  // namespace rosterd::roster
