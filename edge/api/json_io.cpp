#include "edge/api/json_io.hpp"

#include <charconv>

#include "base/encoding.hpp"
#include "lifecycle/error.hpp"
#include "oauth/error.hpp"
#include "roster/error.hpp"
#include "roster/text.hpp"
#include "store/error.hpp"
#include "vault/error.hpp"

namespace rosterd::edge::api {
using base::hex_value;

namespace {

http::problem with_field_from_detail(http::status code, std::string slug,
                                     const std::string& detail) {
  auto p = http::make_problem(code, std::move(slug), detail);
  // Roster details name the field first: "email: not an address".
  const auto colon = detail.find(": ");
  if (colon != std::string::npos && colon < 40 &&
      detail.find(' ') > colon) {  // a single word before ": "
    p.errors.push_back({detail.substr(0, colon), detail.substr(colon + 2)});
  }
  return p;
}

std::string decode_component(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

http::response json_response(const http::request_context& ctx, const json& body,
                             http::status code) {
  http::response res{code, ctx.req.version()};
  res.set(http::beast_http::field::content_type, "application/json");
  // Stored text may hold bytes that are not UTF-8 (kept before the edge repaired them, or
  // written by hand): each becomes U+FFFD rather than turning the whole answer into a 500.
  res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  res.prepare_payload();
  return res;
}

http::response no_content(const http::request_context& ctx) {
  http::response res{http::status::no_content, ctx.req.version()};
  res.prepare_payload();
  return res;
}

http::response problem_response(const http::request_context& ctx, const http::problem& p) {
  return http::make_problem_response(p, ctx.req.version(), ctx.request_id);
}

http::problem problem_for(const base::failure& f) {
  using roster::errc;
  if (f.code.category() == roster::roster_category()) {
    switch (static_cast<errc>(f.code.value())) {
      case errc::not_found:
        return http::make_problem(http::status::not_found, "not-found",
                                  "Nothing here, or nothing you may see.");
      case errc::forbidden:
        return http::make_problem(http::status::forbidden, "forbidden", f.detail);
      case errc::conflict:
        return with_field_from_detail(http::status::conflict, "conflict", f.detail);
      case errc::invalid_argument:
      case errc::invalid_email:
        return with_field_from_detail(http::status::unprocessable_entity, "invalid-input",
                                      f.detail);
      case errc::weak_password: {
        auto p = http::make_problem(http::status::unprocessable_entity, "weak-password", f.detail);
        p.errors.push_back({"password", f.detail});
        return p;
      }
      case errc::invalid_credentials:
        return http::make_problem(http::status::unauthorized, "invalid-credentials",
                                  "Wrong email or password.");
      case errc::rate_limited:
        return http::make_problem(http::status::too_many_requests, "rate-limited", f.detail);
      case errc::token_invalid:
        return http::make_problem(http::status::not_found, "token-invalid", f.detail);
      case errc::token_expired:
        return http::make_problem(http::status::gone, "token-expired", f.detail);
      case errc::token_used:
        return http::make_problem(http::status::gone, "token-used", f.detail);
      case errc::token_revoked:
        return http::make_problem(http::status::gone, "token-revoked", f.detail);
      case errc::token_superseded:
        return http::make_problem(http::status::gone, "token-superseded", f.detail);
      default:
        return with_field_from_detail(http::status::unprocessable_entity, "invalid-input",
                                      f.detail);
    }
  }
  if (f.code.category() == lifecycle::lifecycle_category()) {
    using lifecycle::errc;
    switch (static_cast<errc>(f.code.value())) {
      case errc::state_missing:
      case errc::state_unknown:
      case errc::state_expired:
      case errc::state_used:
      case errc::state_wrong_browser:
      case errc::state_wrong_provider:
        return http::make_problem(
            http::status::bad_request,
            std::string(lifecycle::errc_name(static_cast<errc>(f.code.value()))), f.detail);
      case errc::provider_not_enabled:
        return http::make_problem(http::status::not_found, "provider-not-enabled", f.detail);
      case errc::not_connected:
        return http::make_problem(http::status::conflict, "not-connected", f.detail);
      case errc::vault_unavailable:
        return http::make_problem(http::status::service_unavailable, "vault-unavailable",
                                  "Stored tokens cannot be read right now.");
      case errc::needs_reconnect:
        return http::make_problem(http::status::conflict, "needs-reconnect", f.detail);
      case errc::refresh_unavailable:
        return http::make_problem(http::status::service_unavailable, "refresh-unavailable",
                                  f.detail);
      case errc::exchange_failed:
        return http::make_problem(http::status::bad_gateway, "provider-failed", f.detail);
    }
  }
  if (f.code.category() == oauth::oauth_category()) {
    switch (static_cast<oauth::errc>(f.code.value())) {
      case oauth::errc::malformed_request:
        return http::make_problem(http::status::bad_request, "malformed", f.detail);
      case oauth::errc::request_too_large:
        return http::make_problem(http::status::payload_too_large, "too-large", f.detail);
      case oauth::errc::invalid_signature:
      case oauth::errc::stale_signature:
        return http::make_problem(http::status::unauthorized, "invalid-signature",
                                  "The signature does not verify.");
      default:
        return http::make_problem(http::status::bad_gateway, "provider-failed",
                                  "The platform could not be reached or answered unexpectedly.");
    }
  }
  if (f.code.category() == vault::vault_category()) {
    // A ciphertext that does not open (tampered, moved, a retired key): fail closed, say little.
    return http::make_problem(http::status::internal_server_error, "token-unreadable",
                              "A stored token could not be decrypted; an operator has to look.");
  }
  if (f.code == store::errc::constraint) {
    return http::make_problem(http::status::conflict, "conflict",
                              "That conflicts with what is stored (a duplicate, most likely).");
  }
  if (f.code == store::errc::busy) {
    return http::make_problem(http::status::service_unavailable, "busy",
                              "The database is busy; retry shortly.");
  }
  return http::make_problem(http::status::internal_server_error, "",
                            "Something went wrong on our side; the request id helps us find it.");
}

http::response failure_response(const http::request_context& ctx, const base::failure& f) {
  return problem_response(ctx, problem_for(f));
}

base::result<json> read_object(const http::request_context& ctx, http::problem& problem) {
  const auto type = ctx.req[http::beast_http::field::content_type];
  if (!roster::equals_ignoring_case(roster::trim(type.substr(0, type.find(';'))),
                                    "application/json")) {
    problem = http::make_problem(http::status::unsupported_media_type, "unsupported-media-type",
                                 "Send the body as application/json.");
    return base::fail(roster::errc::invalid_argument, "content type");
  }
  auto parsed = json::parse(ctx.req.body(), nullptr, false);
  if (parsed.is_discarded()) {
    problem = http::make_problem(http::status::bad_request, "malformed-json",
                                 "The body is not valid JSON.");
    return base::fail(roster::errc::invalid_argument, "json");
  }
  if (!parsed.is_object()) {
    problem = http::make_problem(http::status::unprocessable_entity, "invalid-input",
                                 "The body must be a JSON object.");
    return base::fail(roster::errc::invalid_argument, "json");
  }
  return parsed;
}

std::string fields::required_string(std::string_view name, std::size_t max_length) {
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    add(std::string(name), "is required");
    return "";
  }
  return optional_string(name, max_length).value_or("");
}

std::optional<std::string> fields::raw_string(std::string_view name, std::size_t max_length,
                                              bool optional) {
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    if (!optional) {
      add(std::string(name), "is required");
    }
    return std::nullopt;
  }
  if (!it->is_string()) {
    add(std::string(name), "must be a string");
    return std::nullopt;
  }
  const auto& text = it->get_ref<const std::string&>();
  if (text.empty() || text.size() > max_length) {
    add(std::string(name), "must be 1 to " + std::to_string(max_length) + " bytes");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> fields::optional_string(std::string_view name, std::size_t max_length) {
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_string()) {
    add(std::string(name), "must be a string");
    return std::nullopt;
  }
  const auto& text = it->get_ref<const std::string&>();
  const auto trimmed = roster::trim(text);
  if (trimmed.empty()) {
    add(std::string(name), "must not be empty");
    return std::nullopt;
  }
  if (trimmed.size() > max_length) {
    add(std::string(name), "must be at most " + std::to_string(max_length) + " bytes");
    return std::nullopt;
  }
  return std::string(trimmed);
}

std::optional<bool> fields::optional_bool(std::string_view name) {
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_boolean()) {
    add(std::string(name), "must be true or false");
    return std::nullopt;
  }
  return it->get<bool>();
}

void fields::allow_only(std::initializer_list<std::string_view> names) {
  for (const auto& [key, value] : object_.items()) {
    bool known = false;
    for (auto n : names) {
      known = known || key == n;
    }
    if (!known) {
      add(key, "is not a field of this request");
    }
  }
}

http::problem fields::problem() const {
  auto p = http::make_problem(http::status::unprocessable_entity, "invalid-input",
                              "Some fields are missing or invalid; see errors.");
  p.errors = errors_;
  return p;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (decode_component(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : decode_component(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

base::result<int> page_limit(std::string_view query, int fallback, int max) {
  auto text = query_param(query, "limit");
  if (!text) {
    return fallback;
  }
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 1 || value > max) {
    return base::fail(roster::errc::invalid_argument,
                      "limit: must be a whole number from 1 to " + std::to_string(max));
  }
  return value;
}

}  // namespace rosterd::edge::api
