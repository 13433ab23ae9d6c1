#pragma once
// TikTok webhooks: header `TikTok-Signature: t=<unix>,s=<hex>` with
// s = hex HMAC-SHA256(client secret, "<t>.<raw body>"); the body is an event such as
// `authorization.removed` whose `content` is a JSON *string* holding {"reason": N}.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "base/secret.hpp"

namespace rosterd::oauth {

struct tiktok_webhook_options {
  std::chrono::seconds tolerance{std::chrono::minutes(5)};  // |now - t| beyond this is stale
  std::size_t max_body_bytes = 64 * 1024;
};

/// Why TikTok says an authorization was removed (`content.reason`).
enum class tiktok_removal_reason {
  unknown = 0,
  user_disconnected = 1,
  account_deleted = 2,
  age_changed = 3,
  account_banned = 4,
  developer_revoked = 5,
};

struct tiktok_webhook_event {
  std::string client_key;
  std::string event;  // "authorization.removed", "video.publish.completed", ...
  std::chrono::system_clock::time_point create_time;
  std::string user_openid;
  std::string content;        // the raw content string
  std::optional<int> reason;  // content's "reason" when it has one
};

/// Checks the signature header against the raw body. In order: body size
/// (errc::request_too_large); header shape `t=<digits>,s=<64 hex>` in any order, spaces
/// allowed after commas, several s= accepted (errc::malformed_request); HMAC compared in
/// constant time (errc::invalid_signature); |now - t| ≤ tolerance (errc::stale_signature, only
/// for a signature that verified, so a stale answer means "replay of a real delivery").
base::result<void> verify_tiktok_signature(std::string_view signature_header,
                                           std::string_view raw_body,
                                           const base::secret& client_secret,
                                           std::chrono::system_clock::time_point now,
                                           const tiktok_webhook_options& options = {});

/// Reads an event body (after verify_tiktok_signature). errc::malformed_request when it is not
/// a JSON object with string client_key, event, user_openid, integer create_time and a
/// `content` string (an object is accepted too).
base::result<tiktok_webhook_event> parse_tiktok_webhook(std::string_view raw_body);

/// Both, in that order. Also checks `client_key` equals `expected_client_key` when that is not
/// empty (errc::invalid_signature: signed with our secret but meant for another app).
base::result<tiktok_webhook_event> verify_tiktok_webhook(
    std::string_view signature_header, std::string_view raw_body, const base::secret& client_secret,
    std::string_view expected_client_key, std::chrono::system_clock::time_point now,
    const tiktok_webhook_options& options = {});

}  // namespace rosterd::oauth
