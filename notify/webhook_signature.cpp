#include "notify/webhook_signature.hpp"

#include "base/crypto.hpp"
#include "base/random.hpp"

namespace rosterd::notify {
namespace {

constexpr std::string_view prefix = "whsec_";
constexpr std::size_t key_bytes = 32;
// Standard Webhooks libraries accept keys of this size range; shorter is too weak to sign with.
constexpr std::size_t min_key_bytes = 24;
constexpr std::size_t max_key_bytes = 64;

}  // namespace

base::secret generate_webhook_secret() {
  const auto bytes = base::random_bytes(key_bytes);
  return base::secret(std::string(prefix) +
                      base::base64_encode(std::string_view(
                          reinterpret_cast<const char*>(bytes.data()), bytes.size())));
}

base::result<base::secret> webhook_signing_key(std::string_view whsec) {
  if (whsec.substr(0, prefix.size()) != prefix) {
    return base::fail(std::errc::invalid_argument,
                      "a webhook secret starts with \"whsec_\" followed by base64");
  }
  const auto key = base::base64_decode_strict(whsec.substr(prefix.size()));
  if (!key) {
    return base::fail(std::errc::invalid_argument,
                      "the part after \"whsec_\" is not standard base64 (A-Z a-z 0-9 + / with = "
                      "padding)");
  }
  if (key->size() < min_key_bytes || key->size() > max_key_bytes) {
    return base::fail(std::errc::invalid_argument,
                      "a webhook secret holds " + std::to_string(min_key_bytes) + " to " +
                          std::to_string(max_key_bytes) + " bytes of key; this one holds " +
                          std::to_string(key->size()));
  }
  return base::secret(std::string(key->begin(), key->end()));
}

std::string webhook_timestamp(std::chrono::system_clock::time_point t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::string sign_webhook(const std::vector<base::secret>& keys, std::string_view webhook_id,
                         std::chrono::system_clock::time_point timestamp, std::string_view body) {
  std::string signed_text;
  signed_text.reserve(webhook_id.size() + body.size() + 16);
  signed_text.append(webhook_id);
  signed_text.push_back('.');
  signed_text.append(webhook_timestamp(timestamp));
  signed_text.push_back('.');
  signed_text.append(body);
  std::string header;
  for (const auto& key : keys) {
    const auto mac = base::hmac_sha256(key.reveal(), signed_text);
    if (!header.empty()) {
      header.push_back(' ');
    }
    header.append("v1,");
    header.append(base::base64_encode(
        std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size())));
  }
  return header;
}

}  // namespace rosterd::notify
