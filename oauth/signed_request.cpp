#include "oauth/signed_request.hpp"

#include <algorithm>
#include <cctype>

#include "base/crypto.hpp"
#include "oauth/error.hpp"
#include "oauth/http_types.hpp"
#include "oauth/json_detail.hpp"

namespace rosterd::oauth {
namespace {

using detail::json;
using detail::member;

base::failure malformed(std::string_view why) {
  return base::fail(errc::malformed_request, "signed_request: " + std::string(why));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

base::result<signed_request_payload> verify_signed_request(
    std::string_view signed_request, const base::secret& app_secret,
    std::chrono::system_clock::time_point now, const signed_request_options& options) {
  const std::size_t max_bytes = options.max_bytes;
  if (signed_request.size() > max_bytes) {
    return base::fail(errc::request_too_large,
                      "signed_request: over " + std::to_string(max_bytes) + " bytes");
  }
  const auto dot = signed_request.find('.');
  if (dot == std::string_view::npos) {
    return malformed("no '.' between signature and payload");
  }
  const std::string_view sig_part = signed_request.substr(0, dot);
  const std::string_view payload_part = signed_request.substr(dot + 1);
  if (sig_part.empty() || payload_part.empty()) {
    return malformed("an empty segment");
  }
  if (payload_part.find('.') != std::string_view::npos) {
    return malformed("more than two segments");
  }
  const auto signature = base::base64url_decode_strict(sig_part);
  if (!signature) {
    return malformed("the signature is not unpadded base64url");
  }
  if (signature->size() != 32) {
    return malformed("the signature is not 32 bytes");
  }
  const auto payload = base::base64url_decode_strict(payload_part);
  if (!payload) {
    return malformed("the payload is not unpadded base64url");
  }
  if (app_secret.empty()) {
    return base::fail(errc::invalid_signature, "signed_request: no app secret configured");
  }
  const auto expected = base::hmac_sha256(app_secret.reveal(), payload_part);
  if (!base::constant_time_equal(expected.data(), expected.size(), signature->data(),
                                 signature->size())) {
    return base::fail(errc::invalid_signature, "signed_request: signature does not verify");
  }

  const auto doc = detail::parse_json(
      std::string_view(reinterpret_cast<const char*>(payload->data()), payload->size()));
  if (!doc || !doc->is_object()) {
    return malformed("the payload is not a JSON object");
  }
  signed_request_payload out;
  const json* algorithm = member(*doc, "algorithm");
  if (!algorithm || !algorithm->is_string()) {
    return base::fail(errc::invalid_signature, "signed_request: no algorithm");
  }
  out.algorithm = algorithm->get<std::string>();
  if (!iequals(out.algorithm, "HMAC-SHA256")) {
    return base::fail(errc::invalid_signature, "signed_request: algorithm is not HMAC-SHA256");
  }
  const json* user_id = member(*doc, "user_id");
  auto user_text = user_id ? detail::id_text(*user_id) : std::nullopt;
  if (!user_text) {
    return malformed("user_id is missing or neither a string nor an integer");
  }
  out.user_id = std::move(*user_text);
  const json* issued_at = member(*doc, "issued_at");
  const auto issued =
      issued_at && !issued_at->is_string() ? detail::integer_value(*issued_at) : std::nullopt;
  if (!issued || *issued < 0) {
    return malformed("issued_at is missing or not an integer");
  }
  out.issued_at = std::chrono::system_clock::time_point(std::chrono::seconds(*issued));
  if (const json* expires = member(*doc, "expires")) {
    const auto value = !expires->is_string() ? detail::integer_value(*expires) : std::nullopt;
    if (!value || *value < 0) {
      return malformed("expires is not an integer");
    }
    if (*value > 0) {
      out.expires = std::chrono::system_clock::time_point(std::chrono::seconds(*value));
    }
  }
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - out.issued_at);
  if (age > options.max_age) {
    return base::fail(errc::stale_signature,
                      "signed_request: issued " + std::to_string(age.count()) +
                          " s ago, more than the " + std::to_string(options.max_age.count()) +
                          " s accepted");
  }
  if (-age > options.max_clock_skew) {
    return base::fail(errc::stale_signature, "signed_request: issued " +
                                                 std::to_string(-age.count()) +
                                                 " s in the future, more than the " +
                                                 std::to_string(options.max_clock_skew.count()) +
                                                 " s of clock skew accepted");
  }
  out.replay_key = base::to_hex(signature->data(), signature->size());
  return out;
}

base::result<std::string> signed_request_from_form(std::string_view form_body,
                                                   std::size_t max_bytes) {
  if (form_body.size() > max_bytes) {
    return base::fail(errc::request_too_large,
                      "signed_request form: over " + std::to_string(max_bytes) + " bytes");
  }
  auto fields = form_decode(form_body);
  if (!fields) {
    return malformed("the body is not form-encoded");
  }
  std::optional<std::string> value;
  for (auto& [name, field_value] : *fields) {
    if (name == "signed_request") {
      if (value) {
        return malformed("the field appears more than once");
      }
      value = std::move(field_value);
    }
  }
  if (!value) {
    return malformed("the body has no signed_request field");
  }
  return std::move(*value);
}

}  // namespace rosterd::oauth
