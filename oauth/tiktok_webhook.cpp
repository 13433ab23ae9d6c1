#include "oauth/tiktok_webhook.hpp"

#include <vector>

#include "base/crypto.hpp"
#include "oauth/error.hpp"
#include "oauth/json_detail.hpp"

namespace rosterd::oauth {
namespace {

using detail::json;
using detail::member;

base::failure malformed(std::string_view why) {
  return base::fail(errc::malformed_request, "tiktok webhook: " + std::string(why));
}

struct signature_header {
  std::string_view timestamp;
  std::vector<std::vector<unsigned char>> signatures;
};

base::result<signature_header> parse_header(std::string_view header) {
  signature_header out;
  if (header.size() > 1024) {
    return malformed("signature header too long");
  }
  std::size_t start = 0;
  while (start <= header.size()) {
    auto end = header.find(',', start);
    if (end == std::string_view::npos) {
      end = header.size();
    }
    std::string_view item = header.substr(start, end - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
      item.remove_prefix(1);
    }
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
      item.remove_suffix(1);
    }
    if (item.starts_with("t=")) {
      if (!out.timestamp.empty()) {
        return malformed("signature header repeats t=");
      }
      out.timestamp = item.substr(2);
      if (out.timestamp.empty() || out.timestamp.size() > 12 ||
          out.timestamp.find_first_not_of("0123456789") != std::string_view::npos) {
        return malformed("signature header t= is not a Unix time");
      }
    } else if (item.starts_with("s=")) {
      const std::string_view hex = item.substr(2);
      auto bytes = hex.size() == 64 ? base::from_hex(hex) : std::nullopt;
      if (!bytes) {
        return malformed("signature header s= is not 64 hex digits");
      }
      out.signatures.push_back(std::move(*bytes));
    } else if (!item.empty()) {
      // Unknown keys (a future version marker) are ignored; junk is not.
      if (item.find('=') == std::string_view::npos) {
        return malformed("signature header has an item without '='");
      }
    }
    start = end + 1;
  }
  if (out.timestamp.empty()) {
    return malformed("signature header has no t=");
  }
  if (out.signatures.empty()) {
    return malformed("signature header has no s=");
  }
  return out;
}

}  // namespace

base::result<void> verify_tiktok_signature(std::string_view signature_header,
                                           std::string_view raw_body,
                                           const base::secret& client_secret,
                                           std::chrono::system_clock::time_point now,
                                           const tiktok_webhook_options& options) {
  if (raw_body.size() > options.max_body_bytes) {
    return base::fail(
        errc::request_too_large,
        "tiktok webhook: body over " + std::to_string(options.max_body_bytes) + " bytes");
  }
  auto header = parse_header(signature_header);
  if (!header) {
    return header.error();
  }
  if (client_secret.empty()) {
    return base::fail(errc::invalid_signature, "tiktok webhook: no client secret configured");
  }
  std::string signed_text(header->timestamp);
  signed_text.push_back('.');
  signed_text.append(raw_body);
  const auto expected = base::hmac_sha256(client_secret.reveal(), signed_text);
  bool verified = false;
  for (const auto& candidate : header->signatures) {
    // Every candidate is compared (no early exit) so timing says nothing about which matched.
    verified = base::constant_time_equal(expected.data(), expected.size(), candidate.data(),
                                         candidate.size()) ||
               verified;
  }
  if (!verified) {
    return base::fail(errc::invalid_signature, "tiktok webhook: signature does not verify");
  }
  std::int64_t t = 0;
  for (char c : header->timestamp) {
    t = t * 10 + (c - '0');
  }
  const auto sent = std::chrono::system_clock::time_point(std::chrono::seconds(t));
  const auto skew = sent > now ? sent - now : now - sent;
  if (skew > options.tolerance) {
    return base::fail(
        errc::stale_signature,
        "tiktok webhook: timestamp " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(skew).count()) +
            " s from now");
  }
  return {};
}

base::result<tiktok_webhook_event> parse_tiktok_webhook(std::string_view raw_body) {
  const auto doc = detail::parse_json(raw_body);
  if (!doc || !doc->is_object()) {
    return malformed("the body is not a JSON object");
  }
  tiktok_webhook_event out;
  for (auto [field, slot] : {std::pair{std::string_view("client_key"), &out.client_key},
                             std::pair{std::string_view("event"), &out.event},
                             std::pair{std::string_view("user_openid"), &out.user_openid}}) {
    const json* v = member(*doc, field);
    if (!v || !v->is_string() || v->get_ref<const std::string&>().empty()) {
      return malformed(std::string(field) + " is missing or not a string");
    }
    *slot = v->get<std::string>();
  }
  const json* create_time = member(*doc, "create_time");
  const auto created = create_time ? detail::integer_value(*create_time) : std::nullopt;
  if (!created || *created < 0) {
    return malformed("create_time is missing or not an integer");
  }
  out.create_time = std::chrono::system_clock::time_point(std::chrono::seconds(*created));

  const json* content = member(*doc, "content");
  std::optional<json> content_doc;
  if (content && content->is_string()) {
    out.content = content->get<std::string>();
    content_doc = detail::parse_json(out.content);
  } else if (content && content->is_object()) {
    out.content = content->dump();
    content_doc = *content;
  } else if (content) {
    return malformed("content is neither a string nor an object");
  }
  if (content_doc) {
    if (const json* reason = member(*content_doc, "reason")) {
      if (const auto r = detail::integer_value(*reason); r && *r >= 0 && *r <= 1000) {
        out.reason = static_cast<int>(*r);
      }
    }
  }
  return out;
}

base::result<tiktok_webhook_event> verify_tiktok_webhook(std::string_view signature_header,
                                                         std::string_view raw_body,
                                                         const base::secret& client_secret,
                                                         std::string_view expected_client_key,
                                                         std::chrono::system_clock::time_point now,
                                                         const tiktok_webhook_options& options) {
  if (auto verified =
          verify_tiktok_signature(signature_header, raw_body, client_secret, now, options);
      !verified) {
    return verified.error();
  }
  auto event = parse_tiktok_webhook(raw_body);
  if (!event) {
    return event.error();
  }
  if (!expected_client_key.empty() && event->client_key != expected_client_key) {
    return base::fail(errc::invalid_signature, "tiktok webhook: event is for another client_key");
  }
  return event;
}

}  // namespace rosterd::oauth
