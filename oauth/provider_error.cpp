#include "oauth/provider_error.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "oauth/error.hpp"
#include "oauth/json_detail.hpp"

namespace rosterd::oauth {
namespace {

using detail::json;
using detail::member;
using std::chrono::seconds;

constexpr std::size_t max_message_bytes = 300;
constexpr std::size_t token_like_run = 24;
constexpr seconds policy_block_wait{3600};  // Meta 368: "wait; do not hammer"

provider_error make(error_kind kind, phase step, std::string code,
                    std::optional<int> subcode = std::nullopt) {
  provider_error e;
  e.kind = kind;
  e.phase = step;
  e.code = std::move(code);
  e.subcode = subcode;
  return e;
}

bool can_refresh(const provider_profile& profile) {
  return profile.refresh != refresh_style::none;
}

/// An access token refused by a resource API: refresh first; once a refresh was refused too,
/// the grant is gone. Only for the codes the platforms document this way.
error_kind refused_access_token(const provider_profile& profile, phase step) {
  switch (step) {
    case phase::after_failed_refresh:
      return error_kind::reconnect;
    case phase::identity:
    case phase::api_call:
      return can_refresh(profile) ? error_kind::refresh : error_kind::rejected;
    case phase::code_exchange:
    case phase::long_lived_exchange:
    case phase::refresh:
    case phase::revoke:
      // At the token endpoint a 401 means the client authentication failed.
      return error_kind::rejected;
  }
  return error_kind::rejected;
}

bool transient_status(unsigned status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '+' || c == '/' || c == '=' || c == '|' || c == '%';
}

// --- Provider bodies -----------------------------------------------------------------------

struct body_error {
  provider_error error;
  std::string raw_message;
};

/// Meta Graph: {"error":{"message","type","code","error_subcode",...}}; Instagram's legacy
/// token-endpoint shape {"error_type":"OAuthException","code":400,"error_message":"..."}.
std::optional<body_error> meta_body(const provider_profile& profile, phase step, const json& doc,
                                    unsigned status) {
  if (const json* err = member(doc, "error"); err && err->is_object()) {
    const json* code = member(*err, "code");
    const auto code_value = code ? detail::integer_value(*code) : std::nullopt;
    if (!code_value) {
      return std::nullopt;
    }
    std::optional<int> subcode;
    if (const json* sub = member(*err, "error_subcode")) {
      if (auto v = detail::integer_value(*sub); v && *v >= 0 && *v <= 1'000'000'000) {
        subcode = static_cast<int>(*v);
      }
    }
    const int code_int = static_cast<int>(std::clamp<std::int64_t>(*code_value, -1, 1'000'000'000));
    body_error out{classify_meta_error(code_int, subcode, step), {}};
    if (const json* m = member(*err, "message"); m && m->is_string()) {
      out.raw_message = m->get<std::string>();
    }
    return out;
  }
  if (profile.dialect == dialect::instagram_login) {
    const json* type = member(doc, "error_type");
    if (type && type->is_string()) {
      // The legacy shape's code is an HTTP status, not a Graph code: nothing in it says
      // "revoked", so it is a refusal of our request (or an outage when it says 5xx).
      const json* code = member(doc, "code");
      const auto code_value = code ? detail::integer_value(*code) : std::nullopt;
      const bool outage =
          (code_value && *code_value >= 500 && *code_value <= 599) || transient_status(status);
      body_error out{make(outage ? error_kind::transient : error_kind::rejected, step,
                          type->get<std::string>()),
                     {}};
      if (const json* m = member(doc, "error_message"); m && m->is_string()) {
        out.raw_message = m->get<std::string>();
      }
      return out;
    }
  }
  return std::nullopt;
}

error_kind tiktok_api_kind(const provider_profile& profile, std::string_view code, phase step) {
  if (code == "access_token_invalid") {
    return refused_access_token(profile, step);
  }
  if (code == "scope_not_authorized") {
    return error_kind::reconsent;
  }
  if (code == "rate_limit_exceeded" || code == "internal_error") {
    return error_kind::transient;
  }
  // scope_permission_missed (the app lacks the scope), invalid_params, invalid_file_upload and
  // anything new: our request.
  return error_kind::rejected;
}

/// TikTok: OAuth errors {"error","error_description","log_id"}; API errors
/// {"data":...,"error":{"code","message","log_id"}} with code "ok" on success.
std::optional<body_error> tiktok_body(const provider_profile& profile, phase step,
                                      const json& doc) {
  const json* err = member(doc, "error");
  if (!err) {
    return std::nullopt;
  }
  if (err->is_string()) {
    const auto& code = err->get_ref<const std::string&>();
    if (code.empty()) {
      return std::nullopt;
    }
    body_error out{classify_oauth_error(profile, code, step), {}};
    if (const json* d = member(doc, "error_description"); d && d->is_string()) {
      out.raw_message = d->get<std::string>();
    }
    return out;
  }
  if (err->is_object()) {
    const json* code = member(*err, "code");
    if (!code || !code->is_string()) {
      return std::nullopt;
    }
    const auto& text = code->get_ref<const std::string&>();
    if (text.empty() || text == "ok") {
      return std::nullopt;
    }
    body_error out{make(tiktok_api_kind(profile, text, step), step, text), {}};
    if (const json* m = member(*err, "message"); m && m->is_string()) {
      out.raw_message = m->get<std::string>();
    }
    return out;
  }
  return std::nullopt;
}

/// Pinterest: {"code": <int>, "message": "..."}.
std::optional<body_error> pinterest_body(const provider_profile& profile, phase step,
                                         const json& doc, unsigned status) {
  const json* code = member(doc, "code");
  if (!code || !code->is_number_integer()) {
    return std::nullopt;
  }
  const auto value = code->get<std::int64_t>();
  error_kind kind = error_kind::rejected;
  if (value == 2 && status == 401) {
    kind = refused_access_token(profile, step);
  } else if (value == 3) {
    kind = error_kind::reconsent;
  } else if (value == 8 || transient_status(status)) {
    kind = error_kind::transient;
  }
  body_error out{make(kind, step, std::to_string(value)), {}};
  if (const json* m = member(doc, "message"); m && m->is_string()) {
    out.raw_message = m->get<std::string>();
  }
  return out;
}

/// RFC 6749 §5.2 {"error": "...", "error_description": "..."} in any dialect.
std::optional<body_error> oauth_body(const provider_profile& profile, phase step, const json& doc) {
  const json* err = member(doc, "error");
  if (!err || !err->is_string() || err->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  body_error out{classify_oauth_error(profile, err->get_ref<const std::string&>(), step), {}};
  if (const json* d = member(doc, "error_description"); d && d->is_string()) {
    out.raw_message = d->get<std::string>();
  }
  return out;
}

/// RFC 6750 §3: `WWW-Authenticate: Bearer error="invalid_token", error_description="..."`.
std::optional<body_error> bearer_challenge(const provider_profile& profile, phase step,
                                           const http_response& response) {
  const auto header = response.header("WWW-Authenticate");
  if (!header) {
    return std::nullopt;
  }
  const auto find_param = [&](std::string_view name) -> std::optional<std::string> {
    const std::string needle = std::string(name) + "=\"";
    const auto at = header->find(needle);
    if (at == std::string::npos) {
      return std::nullopt;
    }
    const auto start = at + needle.size();
    const auto end = header->find('"', start);
    if (end == std::string::npos) {
      return std::nullopt;
    }
    return header->substr(start, end - start);
  };
  const auto error = find_param("error");
  if (!error || error->empty()) {
    return std::nullopt;
  }
  body_error out{classify_oauth_error(profile, *error, step), {}};
  out.raw_message = find_param("error_description").value_or("");
  return out;
}

// --- Retry-After ---------------------------------------------------------------------------

std::optional<int> month_number(std::string_view name) {
  static constexpr std::array<std::string_view, 12> months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (name == months[i]) {
      return static_cast<int>(i) + 1;
    }
  }
  return std::nullopt;
}

std::optional<int> small_number(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) {
    return std::nullopt;
  }
  int out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    out = out * 10 + (c - '0');
  }
  return out;
}

/// The three HTTP-date forms (RFC 9110 §5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
/// RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '-') {
      if (i > start) {
        tokens.push_back(text.substr(start, i - start));
      }
      start = i + 1;
    }
  }
  std::optional<int> day, month, year, hour, minute, second;
  for (std::size_t i = 1; i < tokens.size(); ++i) {  // tokens[0] is the weekday
    const std::string_view t = tokens[i];
    if (t == "GMT") {
      continue;
    }
    if (t.size() == 8 && t[2] == ':' && t[5] == ':') {
      hour = small_number(t.substr(0, 2), 2);
      minute = small_number(t.substr(3, 2), 2);
      second = small_number(t.substr(6, 2), 2);
    } else if (auto m = month_number(t)) {
      month = m;
    } else if (t.size() == 4 && !year) {
      year = small_number(t, 4);
    } else if (t.size() <= 2 && !day) {
      day = small_number(t, 2);
    } else if (t.size() == 2 && day && !year) {
      // RFC 850's two-digit year: within 50 years of now, in practice 19xx or 20xx.
      if (auto y = small_number(t, 2)) {
        year = *y < 70 ? 2000 + *y : 1900 + *y;
      }
    } else {
      return std::nullopt;
    }
  }
  if (!day || !month || !year || !hour || !minute || !second || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
         seconds(*second);
}

std::optional<seconds> retry_after_of(const provider_profile& profile,
                                      const http_response& response,
                                      std::chrono::system_clock::time_point now) {
  std::optional<seconds> out;
  if (const auto header = response.header("Retry-After")) {
    out = parse_retry_after(*header, now);
  }
  if (profile.dialect == dialect::meta_graph || profile.dialect == dialect::instagram_login) {
    if (const auto header = response.header("X-Business-Use-Case-Usage")) {
      if (const auto regain = meta_regain_access(*header)) {
        out = out ? std::max(*out, *regain) : *regain;
      }
    }
  }
  return out;
}

}  // namespace

provider_error classify_meta_error(int code, std::optional<int> subcode, phase step) {
  error_kind kind = error_kind::rejected;
  if (code == 190) {
    // 459 checkpoint, 464 unconfirmed user: the creator must act on facebook.com first;
    // 492: they lost their role on the Page (ask for it back). Every other 190 is dead.
    const bool creator_must_act =
        subcode && (*subcode == 459 || *subcode == 464 || *subcode == 492);
    kind = creator_must_act ? error_kind::user_action : error_kind::reconnect;
  } else if (code == 102) {
    kind = error_kind::reconnect;
  } else if (code == 10 || (code >= 200 && code <= 299)) {
    kind = error_kind::reconsent;
  } else if (code == 1 || code == 2 || code == 4 || code == 17 || code == 32 || code == 341 ||
             code == 613 || code == 368 || (code >= 80000 && code <= 80099)) {
    kind = error_kind::transient;
  }
  provider_error out = make(kind, step, std::to_string(code), subcode);
  if (code == 368) {
    out.retry_after = policy_block_wait;
  }
  return out;
}

provider_error classify_oauth_error(const provider_profile& profile, std::string_view error,
                                    phase step) {
  error_kind kind = error_kind::rejected;
  if (error == "invalid_grant") {
    kind = error_kind::reconnect;
  } else if (error == "temporarily_unavailable" || error == "server_error" ||
             error == "slow_down") {
    kind = error_kind::transient;
  } else if (error == "access_denied") {
    kind = error_kind::user_action;  // the creator declined; only they can change that
  } else if (error == "insufficient_scope") {
    kind = error_kind::reconsent;
  } else if (error == "invalid_token") {
    // RFC 6750: the access token is expired, revoked or malformed.
    kind = refused_access_token(profile, step);
  }
  // invalid_client, invalid_request, unauthorized_client, unsupported_grant_type,
  // unsupported_response_type, invalid_scope, redirect_uri_mismatch...: our request.
  return make(kind, step, std::string(error));
}

std::optional<provider_error> classify_response(const provider_profile& profile, phase step,
                                                const http_response& response,
                                                std::chrono::system_clock::time_point now,
                                                std::span<const std::string_view> never_echo) {
  const unsigned status = response.status;
  const bool success_status = status >= 200 && status <= 299;
  const auto doc = detail::parse_json(response.body);

  std::optional<body_error> found;
  if (doc && (!success_status || profile.dialect == dialect::tiktok)) {
    switch (profile.dialect) {
      case dialect::instagram_login:
      case dialect::meta_graph:
        found = meta_body(profile, step, *doc, status);
        break;
      case dialect::tiktok:
        found = tiktok_body(profile, step, *doc);
        break;
      case dialect::pinterest:
        found = pinterest_body(profile, step, *doc, status);
        break;
      case dialect::generic:
        break;
    }
    if (!found && !success_status) {
      found = oauth_body(profile, step, *doc);
    }
  }
  if (!found && !success_status) {
    found = bearer_challenge(profile, step, response);
  }
  if (!found) {
    if (success_status) {
      return std::nullopt;
    }
    error_kind kind = error_kind::rejected;
    if (transient_status(status)) {
      kind = error_kind::transient;
    } else if (status == 401 && (step == phase::api_call || step == phase::identity) &&
               can_refresh(profile)) {
      kind = error_kind::refresh;
    }
    found = body_error{make(kind, step, "http_" + std::to_string(status)), {}};
  }

  provider_error out = std::move(found->error);
  // An unknown code in an outage-shaped answer is an outage, not a verdict on our request.
  if (out.kind == error_kind::rejected && transient_status(status)) {
    out.kind = error_kind::transient;
  }
  if (const auto wait = retry_after_of(profile, response, now)) {
    out.retry_after = out.retry_after ? std::max(*out.retry_after, *wait) : *wait;
  }
  out.message = scrub_message(found->raw_message, never_echo);
  out.code = scrub_message(out.code, never_echo);
  return out;
}

provider_error classify_transport(std::error_code error, phase step) {
  if (error.category() == oauth_category()) {
    const auto e = static_cast<errc>(error.value());
    provider_error out = make(e == errc::invalid_url ? error_kind::rejected : error_kind::transient,
                              step, std::string(errc_name(e)));
    out.message = error.message();
    return out;
  }
  // Anything else reaching here is the network's (resets, unreachable networks).
  provider_error out =
      make(error_kind::transient, step,
           std::string(error.category().name()) + ":" + std::to_string(error.value()));
  out.message = scrub_message(error.message());
  return out;
}

std::optional<seconds> parse_retry_after(std::string_view value,
                                         std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    return std::nullopt;
  }
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) {
      return seconds(999'999'999);  // absurd, but a number: the caller caps it
    }
    return seconds(*small_number(value, 9));
  }
  const auto when = parse_http_date(value);
  if (!when) {
    return std::nullopt;
  }
  if (*when <= now) {
    return seconds(0);
  }
  return std::chrono::ceil<seconds>(*when - now);
}

std::optional<seconds> meta_regain_access(std::string_view header_value) {
  const auto doc = detail::parse_json(header_value);
  if (!doc || !doc->is_object()) {
    return std::nullopt;
  }
  std::optional<std::int64_t> minutes;
  const auto consider = [&](const json& entry) {
    if (const json* t = member(entry, "estimated_time_to_regain_access")) {
      if (auto v = detail::integer_value(*t); v && *v > 0) {
        minutes = std::max(minutes.value_or(0), std::min<std::int64_t>(*v, 7 * 24 * 60));
      }
    }
  };
  for (const auto& [business, usage] : doc->items()) {
    if (usage.is_array()) {
      for (const auto& entry : usage) {
        consider(entry);
      }
    } else {
      consider(usage);
    }
  }
  if (!minutes) {
    return std::nullopt;
  }
  return seconds(*minutes * 60);
}

std::string scrub_message(std::string_view text, std::span<const std::string_view> never_echo) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  for (std::string_view value : never_echo) {
    if (value.size() < 4) {
      continue;
    }
    for (auto at = out.find(value); at != std::string::npos; at = out.find(value, at)) {
      out.replace(at, value.size(), "[redacted]");
      at += 10;
    }
  }
  // Token-like runs: long, from a token alphabet, with letters and digits.
  std::string scrubbed;
  scrubbed.reserve(out.size());
  for (std::size_t i = 0; i < out.size();) {
    if (!is_token_char(out[i])) {
      scrubbed.push_back(out[i++]);
      continue;
    }
    std::size_t end = i;
    bool letter = false;
    bool digit = false;
    while (end < out.size() && is_token_char(out[end])) {
      const auto u = static_cast<unsigned char>(out[end]);
      letter = letter || std::isalpha(u) != 0;
      digit = digit || std::isdigit(u) != 0;
      ++end;
    }
    if (end - i >= token_like_run && letter && digit) {
      scrubbed.append("[redacted]");
    } else {
      scrubbed.append(out, i, end - i);
    }
    i = end;
  }
  // Trim, then cut at a UTF-8 character boundary.
  const auto first = scrubbed.find_first_not_of(' ');
  if (first == std::string::npos) {
    return {};
  }
  const auto last = scrubbed.find_last_not_of(' ');
  std::string trimmed = scrubbed.substr(first, last - first + 1);
  if (trimmed.size() > max_message_bytes) {
    std::size_t cut = max_message_bytes;
    while (cut > 0 && (static_cast<unsigned char>(trimmed[cut]) & 0xc0) == 0x80) {
      --cut;
    }
    trimmed.resize(cut);
  }
  return trimmed;
}

base::failure to_failure(const provider_error& error) {
  std::string detail = "provider error in ";
  detail.append(phase_name(error.phase));
  detail.append(": kind=");
  detail.append(error_kind_name(error.kind));
  detail.append(" code=");
  detail.append(error.code);
  if (error.subcode) {
    detail.append(" subcode=");
    detail.append(std::to_string(*error.subcode));
  }
  if (error.retry_after) {
    detail.append(" retry_after=");
    detail.append(std::to_string(error.retry_after->count()));
    detail.append("s");
  }
  if (!error.message.empty()) {
    detail.append(": ");
    detail.append(error.message);
  }
  return base::fail(errc::provider_error, std::move(detail));
}

std::string_view phase_name(phase p) noexcept {
  switch (p) {
    case phase::code_exchange:
      return "code_exchange";
    case phase::long_lived_exchange:
      return "long_lived_exchange";
    case phase::refresh:
      return "refresh";
    case phase::identity:
      return "identity";
    case phase::api_call:
      return "api_call";
    case phase::revoke:
      return "revoke";
    case phase::after_failed_refresh:
      return "after_failed_refresh";
  }
  return "unknown";
}

std::string describe(const provider_error& error) {
  std::string text(phase_name(error.phase));
  text += ": ";
  text += error_kind_name(error.kind);
  text += " " + error.code;
  if (error.subcode) {
    text += "/" + std::to_string(*error.subcode);
  }
  if (!error.message.empty()) {
    text += " (" + error.message + ")";
  }
  return text;
}

std::string_view error_kind_name(error_kind k) noexcept {
  switch (k) {
    case error_kind::reconnect:
      return "reconnect";
    case error_kind::reconsent:
      return "reconsent";
    case error_kind::user_action:
      return "user_action";
    case error_kind::refresh:
      return "refresh";
    case error_kind::transient:
      return "transient";
    case error_kind::rejected:
      return "rejected";
  }
  return "unknown";
}

}  // namespace rosterd::oauth
